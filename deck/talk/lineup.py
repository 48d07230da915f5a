"""What the talk file says about the talk's slides: which sections in which order (`cut`,
`sections`), and single slides left out (`skip`).

Names are the ones `deck list` prints: a section is its scene module's name under
deck/scenes/ (`evidence`), a slide `section.beat` (`evidence.models_table`). This module
checks the names and resolves a cut to its sections and slides, without importing the
scenes (manim): the talk file's reader calls `choose`, and `deck.scenes` numbers the
slides of the `Chosen` lineup a `Talk` carries.
"""

from __future__ import annotations

import ast
import difflib
import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CUT = "talk"


@dataclass(frozen=True)
class Cut:
    """A named cut of the talk: its sections in order and the slides it leaves out."""

    name: str
    about: str  # what it is for, as `deck list` and the README say
    sections: tuple[str, ...]
    skip: tuple[str, ...] = ()


EVERY_SECTION = (
    "opening",
    "why_gqa",
    "kv_calculator",
    "family",
    "dataflow",
    "decoding",
    "scaled_dot_product",
    "attention_weights",
    "conversion",
    "evidence",
    "beyond",
    "closing",
)

REFRESHER = ("scaled_dot_product", "attention_weights")  # attention in general, not GQA
# how a converted layer's output moves, at a hand-built example and the model's shapes:
# the evidence needs only that a checkpoint is mean-pooled and then uptrained
CONVERSION_DETAIL = ("conversion.conversion_error", "conversion.model_heads")


def without(*left_out: str) -> tuple[str, ...]:
    """Every section but `left_out`, in the talk's order."""
    return tuple(name for name in EVERY_SECTION if name not in left_out)


CUTS: dict[str, Cut] = {
    cut.name: cut
    for cut in (
        Cut(
            "lightning",
            "about 6 minutes: the cost, the idea, the evidence",
            without("kv_calculator", "decoding", *REFRESHER, "beyond"),
            skip=(
                "why_gqa.batch",
                "why_gqa.step_reads",
                "why_gqa.step_reads_batch",
                "family.one_group",
                "dataflow.rope",
                "dataflow.kv_cache",
                "dataflow.spec_card",
                *CONVERSION_DETAIL,
                "conversion.from_scratch",
                "evidence.tensor_parallel",
                "evidence.choosing_groups",
                "evidence.models_table",
            ),
        ),
        Cut(
            "short",
            "about 11 minutes: the talk without the attention refresher, the conversion in brief",
            without(*REFRESHER),
            skip=CONVERSION_DETAIL,
        ),
        Cut(DEFAULT_CUT, "the whole talk, for a 20-minute slot (the default)", EVERY_SECTION),
    )
}


# What a section takes as known, by name: its slides use the words and pictures those
# sections introduce (deck/content/glossary.py says which beat defines which term, and
# tests/test_lineup.py holds this table to it). A talk may order its sections freely,
# but one that lacks a section another needs is refused, naming it.
NEEDS: dict[str, tuple[str, ...]] = {
    "kv_calculator": ("why_gqa",),  # the KV cache and its formula
    "family": ("why_gqa",),  # MHA and MQA beside GQA
    "dataflow": ("family",),  # GQA-G, groups and their size
    "decoding": ("why_gqa",),  # decoding, prefill and the cache
    "attention_weights": ("scaled_dot_product",),  # softmax over the scores
    "conversion": ("family",),
    "evidence": ("family", "conversion"),  # GQA-G; Table 1's checkpoints are uptrained
    "beyond": ("why_gqa",),
}


# ── the deck's sections and slides, read from the scene modules without importing them ──
SCENES_FOLDER = Path(__file__).resolve().parent.parent / "scenes"


def _beats_of(module: Path) -> tuple[str, ...]:
    """The beats of the scene class in `module`, in definition order: its methods
    decorated with `@beat(...)` (tests/test_lineup.py holds this to the classes)."""
    found: list[str] = []
    # named, so that a syntax error says which file and line (as the import would)
    for node in ast.parse(module.read_text(encoding="utf-8"), filename=str(module)).body:
        if not isinstance(node, ast.ClassDef):
            continue
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and getattr(d.func, "id", "") == "beat"
                for d in item.decorator_list
            ):
                found.append(item.name)
    return tuple(found)


@functools.cache
def catalogue() -> dict[str, tuple[str, ...]]:
    """Every section of the deck (talk order) → its slides' beat names (read once)."""
    return {name: _beats_of(SCENES_FOLDER / f"{name}.py") for name in EVERY_SECTION}


def did_you_mean(name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


@dataclass(frozen=True)
class Chosen:
    """The talk's slides: its sections in order, each with the beats it keeps."""

    sections: tuple[tuple[str, tuple[str, ...]], ...]
    cut: str = DEFAULT_CUT  # the cut it was chosen from
    own: bool = False  # `sections` or `skip` changed that cut

    def slides(self) -> list[str]:
        return [f"{s}.{b}" for s, beats in self.sections for b in beats]

    def beats_of(self, section: str) -> tuple[str, ...] | None:
        """The beats the talk keeps of `section`; None when it leaves the section out."""
        return dict(self.sections).get(section)

    @property
    def label(self) -> str:
        """What names this lineup's build folder and exports beside the model's: "" for
        the whole talk, a cut's name, or with the talk's own changes a digest of its
        slides too (two own cuts must not overwrite each other's exports)."""
        if self.slides() == whole_talk().slides():
            return ""
        if not self.own or self.slides() == choose(self.cut).slides():
            return self.cut
        mark = hashlib.sha256(" ".join(self.slides()).encode()).hexdigest()[:8]
        return f"{self.cut}-own-{mark}"


@functools.cache
def whole_talk() -> Chosen:
    return choose()


def choose(
    cut: str = DEFAULT_CUT, sections: tuple[str, ...] = (), skip: tuple[str, ...] = ()
) -> Chosen:
    """The sections and slides the talk file asks for. Raises ValueError with one line
    (the key, the name, what would be right) for an unknown name or an empty talk."""
    known = catalogue()
    if cut not in CUTS:
        raise ValueError(
            f"cut: unknown cut {cut!r}{did_you_mean(cut, CUTS)} (cuts: {', '.join(CUTS)})"
        )
    order = list(sections) if sections else list(CUTS[cut].sections)
    for name in order:
        if name not in known:
            raise ValueError(
                f"sections: no section {name!r}{did_you_mean(name, known)} "
                f"(sections: {', '.join(known)})"
            )
    if len(set(order)) != len(order):
        twice = next(n for n in order if order.count(n) > 1)
        raise ValueError(f"sections: {twice!r} is listed twice")
    if "opening" in order and order[0] != "opening":
        raise ValueError("sections: 'opening' is the title slide and comes first")
    if "opening" not in order:
        order.insert(0, "opening")  # every talk opens on its title
    for name in order:
        missing = [need for need in NEEDS.get(name, ()) if need not in order]
        if missing:
            raise ValueError(
                f"sections: {name!r} builds on the section {missing[0]!r}, which the talk "
                f"leaves out; add {missing[0]!r} or leave {name!r} out"
            )
    slides = {f"{s}.{b}" for s in known for b in known[s]}
    left_out = set(CUTS[cut].skip if not sections else ())  # a cut's skips go with its order
    for name in skip:
        if name not in slides:
            raise ValueError(f"skip: no slide {name!r}{did_you_mean(name, slides)}")
        if name.partition(".")[0] not in order:
            raise ValueError(f"skip: {name!r} is in a section the talk leaves out")
        left_out.add(name)
    chosen = tuple((s, tuple(b for b in known[s] if f"{s}.{b}" not in left_out)) for s in order)
    if ("opening", ()) in chosen:
        raise ValueError("skip: 'opening.title' is the title slide; every talk has it")
    emptied = [s for s, beats in chosen if not beats]
    if emptied:
        raise ValueError(
            f"skip: every slide of {emptied[0]!r} is left out; leave the section out instead"
        )
    return Chosen(chosen, cut, own=bool(sections or skip))
