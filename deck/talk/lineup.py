"""What the talk file says about the talk's slides: which sections in which order (`cut`,
`sections`), single slides left out (`skip`), the speaker's own slides (`[[slide]]`) and
their own notes (`[notes]`).

Names are the ones `deck list` prints: a section is its scene module's name under
deck/scenes/ (`evidence`), a slide `section.beat` (`evidence.models_table`). This module
reads and checks the talk file's part; deck/scenes/lineup.py turns it into the scenes a
build renders (that needs the scenes, hence manim).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CUT = "talk"
MAX_POINTS = 6  # an own slide's lines: what the content area holds at the body size
MAX_POINT_CHARS = 70  # one line of a point at the body size, across the content area
MAX_OWN_TITLE_CHARS = 60  # a slide title on one line
MAX_OWN_SLIDES = 20
MAX_NOTES_CHARS = 4000  # a slide's notes: about three minutes said
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".svg")
MAX_IMAGE_BYTES = 32 * 1024 * 1024
MAX_IMAGE_PIXELS = 8192 * 8192  # what a projector shows is 1920 × 1080; more is a mistake


@dataclass(frozen=True)
class OwnSlide:
    """One of the speaker's own slides: after which slide, its title, an image or points,
    its notes. `digest` hashes the image's bytes, so that a changed picture renders again."""

    after: str  # "section.beat", or "section" (after its last slide)
    title: str
    image: str | None = None  # an absolute path
    points: tuple[str, ...] = ()
    notes: str = ""
    digest: str = ""

    @property
    def name(self) -> str:
        """The scene's name for this slide's render: stable while its content is."""
        h = hashlib.sha256(repr((self.title, self.image, self.points, self.digest)).encode())
        return f"Own{h.hexdigest()[:10]}"


def image_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


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

CUTS: dict[str, Cut] = {
    cut.name: cut
    for cut in (
        Cut(
            "lightning",
            "about 6 minutes: the cost, the idea, the evidence",
            (
                "opening",
                "why_gqa",
                "family",
                "dataflow",
                "evidence",
                "closing",
            ),
            skip=(
                "why_gqa.batch",
                "why_gqa.step_reads",
                "why_gqa.step_reads_batch",
                "family.one_group",
                "dataflow.rope",
                "dataflow.kv_cache",
                "dataflow.spec_card",
                "evidence.tensor_parallel",
                "evidence.choosing_groups",
                "evidence.models_table",
            ),
        ),
        Cut(
            "short",
            "about 10 minutes: the talk without the attention refresher and the conversion",
            (
                "opening",
                "why_gqa",
                "kv_calculator",
                "family",
                "dataflow",
                "decoding",
                "evidence",
                "beyond",
                "closing",
            ),
        ),
        Cut(DEFAULT_CUT, "the whole talk, for a 20-minute slot (the default)", EVERY_SECTION),
    )
}


# ── the deck's sections and slides, read from the scene modules without importing them ──
SCENES_FOLDER = Path(__file__).resolve().parent.parent / "scenes"


def _beats_of(module: Path) -> tuple[str, ...]:
    """The beats of the scene class in `module`, in definition order: its methods
    decorated with `@beat(...)` (tests/test_lineup.py holds this to the classes)."""
    import ast

    found: list[str] = []
    for node in ast.parse(module.read_text(encoding="utf-8")).body:
        if not isinstance(node, ast.ClassDef):
            continue
        for item in node.body:
            if isinstance(item, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and getattr(d.func, "id", "") == "beat"
                for d in item.decorator_list
            ):
                found.append(item.name)
    return tuple(found)


def catalogue() -> dict[str, tuple[str, ...]]:
    """Every section of the deck (talk order) → its slides' beat names."""
    return {name: _beats_of(SCENES_FOLDER / f"{name}.py") for name in EVERY_SECTION}


def did_you_mean(name: str, known) -> str:
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean {close[0]!r}?" if close else ""


@dataclass(frozen=True)
class Chosen:
    """The talk's slides: its sections in order, each with the beats it keeps."""

    sections: tuple[tuple[str, tuple[str, ...]], ...]

    def slides(self) -> list[str]:
        return [f"{s}.{b}" for s, beats in self.sections for b in beats]


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
    return Chosen(chosen)
