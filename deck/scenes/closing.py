"""The closing section: a recap (each point with the slide that showed it), the references
(exactly the works the scenes cite, over two slides), and "Questions?" with the talk's
title and byline."""

from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, AnimationGroup, LaggedStart, Succession, VGroup, Write

from deck import format as fmt
from deck import theme
from deck.components.byline import byline
from deck.components.page import body_top, named_group, slide_title
from deck.components.spec import baseline, lines, sit_on
from deck.components.text import centred, stack, text
from deck.content.model import Model
from deck.content.sources import (
    GQA_PAPER,
    LLAMA2,
    LLAMA2_FROM_SCRATCH,
    REFERENCES,
    TABLE1,
    UPTRAINING_ALPHA,
    Reference,
)
from deck.content.wrap import wrap
from deck.scenes.base import DeckSlide, beat
from deck.scenes.motion import fade_in
from deck.talk import Talk

NUMBER_COLUMN = 0.75  # a takeaway's number, then its text
TAKEAWAY_GAP = 0.3
TAKEAWAYS_TOP_GAP = 0.45  # between the title and the first takeaway
TP_LIMIT = 8  # the evidence section's tensor-parallel degree: at most one node's GPUs
TAKEAWAY_LINE_GAP = 0.12
DETAIL_PITCH_EM = 1.35  # a takeaway's detail lines, closer than a table's rows
REFERENCE_GAP = 0.15  # added between references; a reference's own lines sit closer
REFERENCE_PITCH_EM = 1.3
HANGING_INDENT = 0.4  # a reference's second line starts this far in
THANKS_GAP = 0.4


def unbroken(phrase: str) -> str:
    """`phrase` with no-break spaces, so that wrapping keeps it on one line."""
    return phrase.replace(" ", "\u00a0")


def slide_of(scene_name: str, beat_name: str, talk: Talk | None = None) -> int | None:
    """The number of the slide that plays `beat_name` of `scene_name` in `talk` (the
    whole deck without one); None when the talk's cut leaves it out."""
    from deck.scenes import BY_NAME, slide_number  # the scenes' list includes this one

    return slide_number(BY_NAME[scene_name], beat_name, talk)


# Each recap point with the slide whose picture shows it: (scene, beat).
RECAP_SLIDES = (
    ("WhyGQA", "cache_vs_context"),
    ("Family", "highlight_gqa"),
    ("Evidence", "gqa_point"),
    ("Evidence", "tensor_parallel"),
    ("Conversion", "from_scratch"),
)
# What the speaker says of each point (the recap's notes are those of the points the talk
# shows), and the works the point and its words name.
RECAP_SAID = (
    ("Decoding reads the whole cache every step", ()),
    ("sharing KV heads cuts it by {saving}", ()),
    (
        "GQA keeps almost MHA's quality at almost MQA's speed on T5-XXL ({table1.source})",
        (GQA_PAPER,),
    ),
    ("match KV heads to GPUs", ()),
    (
        "train GQA from scratch, or uptrain for {share} of the original pre-training steps",
        (LLAMA2,),  # the point's detail: Llama 2 34B and 70B trained with GQA
    ),
)


def recap_kept(talk: Talk | None = None) -> list[int]:
    """The indices of the recap's points whose slide `talk` shows (all without a talk)."""
    if talk is None:
        return list(range(len(RECAP_SLIDES)))
    return [i for i, where in enumerate(RECAP_SLIDES) if slide_of(*where, talk) is not None]


def recap_notes(talk: Talk | None = None) -> str:
    """The recap's notes template: the kept points' clauses, in one sentence."""
    said = "; ".join(RECAP_SAID[i][0] for i in recap_kept(talk))
    return said[:1].upper() + said[1:] + "." if said else ""


def per_gpu_against_mqa(m: Model, tp: int) -> str:
    """MQA's cache per GPU beside the model's: the same once each GPU holds one head."""
    mqa = m.kv_cache_bytes_per_gpu(tp, 1, 1)
    return "as much as MQA" if mqa == m.kv_cache_bytes_per_gpu(tp) else f"MQA {fmt.nbytes(mqa)}"


def takeaway_texts(m: Model, talk: Talk | None = None) -> list[tuple[str, str, str]]:
    """(headline, detail, slide) of the recap's points, every figure computed or cited,
    each with the slide that showed it: those whose slide `talk` shows."""
    gqa, mha, mqa = (TABLE1.row(name) for name in ("GQA-8-XXL", "MHA-XXL", "MQA-XXL"))
    tp = m.tensor_parallel_degree(TP_LIMIT)
    points = [
        (
            "Decoding reads the whole KV cache at every step",
            f"{m.title}: {fmt.nbytes(m.kv_cache_bytes(1))} per token with GQA, "
            f"{fmt.nbytes(m.kv_cache_bytes(1, m.n_heads))} with MHA",
        ),
        (
            "Groups of query heads share one KV head",
            f"{m.n_heads} query heads, {m.n_kv_heads} KV heads, groups of {m.group_size}: "
            f"KV cache −{fmt.percent(m.kv_cache_saving)} vs. MHA",
        ),
        (
            "Near-MHA quality at near-MQA speed",
            f"T5-XXL: {gqa.attention} scores {gqa.average:.1f} (MHA {mha.average:.1f}) in "
            f"{gqa.seconds_per_sample:.2f} s (MQA {mqa.seconds_per_sample:.2f} s), "
            f"{unbroken(TABLE1.cited.where)}",
        ),
        (
            "At least as many KV heads as GPUs",
            f"over {tp} GPUs: {fmt.nbytes(m.kv_cache_bytes_per_gpu(tp))} per GPU per token, "
            + per_gpu_against_mqa(m, tp),
        ),
        (
            "Convert and uptrain, or train GQA from the start",
            f"mean-pool + {fmt.whole_percent(UPTRAINING_ALPHA.value)} more steps; "
            f"{LLAMA2_FROM_SCRATCH.text}: GQA from scratch",
        ),
    ]
    numbers = [slide_of(*where, talk) for where in RECAP_SLIDES]
    return [
        (headline, detail, f"slide {number}")
        for (headline, detail), number in zip(points, numbers, strict=True)
        if number is not None
    ]


def takeaways_picture(m: Model, talk: Talk | None = None) -> VGroup:
    """The title and the numbered points, each a headline with the slide that showed it at
    the right edge, and a wrapped detail under it."""
    titles = slide_title("Recap")
    left = theme.CONTENT_LEFT + NUMBER_COLUMN
    width = theme.CONTENT_RIGHT - left
    items = VGroup()
    for number, (headline, detail, slide) in enumerate(takeaway_texts(m, talk), start=1):
        head = text(headline, theme.SIZE.body)
        where = text(slide, theme.SIZE.label, theme.MUTED)
        head.move_to([left, 0, 0], aligned_edge=LEFT)
        sit_on(where.move_to([theme.CONTENT_RIGHT, 0, 0], aligned_edge=RIGHT), baseline(head))
        body = lines(
            wrap(detail, theme.SIZE.label, width),
            theme.SIZE.label,
            theme.MUTED,
            pitch_em=DETAIL_PITCH_EM,
        )
        body.next_to(head, DOWN, buff=TAKEAWAY_LINE_GAP).align_to(head, LEFT)
        mark = text(str(number), theme.SIZE.body, theme.TITLE)
        sit_on(mark.move_to([theme.CONTENT_LEFT, 0, 0], aligned_edge=LEFT), baseline(head))
        items.add(VGroup(mark, head, where, body))
    top = body_top(titles)
    for item in items:  # one under the other, each kept on the grid's left edge
        item.shift(UP * (top - item.get_top()[1]))
        top = item.get_bottom()[1] - TAKEAWAY_GAP
    return named_group(titles=titles, items=items)


def cited_references(talk: Talk | None = None) -> list[Reference]:
    """Every work a slide of the talk cites (of the whole deck without a talk), in the
    catalogue's order (deck.content.sources): a work named only on slides the talk's cut
    leaves out is not listed."""
    from deck.scenes import kept_beats, scenes_of  # the scenes' list includes this one

    cited = {
        ref
        for scene in scenes_of(talk)
        for beat in kept_beats(scene, talk)
        for ref in scene.cites_of(beat, talk)
    }
    if talk is not None:  # the model the talk is about, when a work describes it
        cited |= {ref for ref in REFERENCES if ref.used_in(talk.model.title)}
    return [ref for ref in REFERENCES if ref in cited]


def reference_block(ref: Reference) -> VGroup:
    """One reference's citation, wrapped to the content width with a hanging indent."""
    width = theme.CONTENT_RIGHT - theme.CONTENT_LEFT
    size = theme.SIZE.detail
    first, *rest = wrap(ref.citation(), size, width)
    if rest:
        rest = wrap(" ".join(rest), size, width - HANGING_INDENT)
    block = lines([first, *rest], size, theme.TEXT, pitch_em=REFERENCE_PITCH_EM)
    for line in block[1:]:
        line.shift(RIGHT * HANGING_INDENT)
    return block


def reference_pages(talk: Talk | None = None) -> list[list[Reference]]:
    """The cited works over two slides, split where the two pages come out most even."""
    pitch = REFERENCE_PITCH_EM * theme.em(theme.SIZE.detail)
    refs = cited_references(talk)
    heights = [len(reference_block(ref)) * pitch + REFERENCE_GAP for ref in refs]
    split = min(range(1, len(refs)), key=lambda i: max(sum(heights[:i]), sum(heights[i:])))
    return [refs[:split], refs[split:]]


def references_picture(page: int, talk: Talk | None = None) -> VGroup:
    """A title and the page's references, on baselines at an even pitch (an extra gap
    between references)."""
    titles = slide_title("References" if page == 0 else "References, continued")
    pitch = REFERENCE_PITCH_EM * theme.em(theme.SIZE.detail)
    entries = VGroup()
    baseline = 0.0
    for ref in reference_pages(talk)[page]:
        block = reference_block(ref)
        entries.add(block.shift(UP * baseline))
        baseline -= len(block) * pitch + REFERENCE_GAP
    top = body_top(slide_title("References"))  # both pages alike (a comma descends)
    entries.move_to([theme.CONTENT_LEFT, top, 0], aligned_edge=UP + LEFT)
    return named_group(titles=titles, entries=entries)


def questions_picture(talk: Talk) -> VGroup:
    """ "Questions?", the talk's title and its byline (the lines the talk fills in), centred."""
    parts = [
        text("Questions?", theme.SIZE.title, theme.TITLE),
        centred(talk.title, theme.SIZE.body, theme.MUTED),
    ]
    credit = byline(talk)
    if credit.submobjects:
        parts.append(credit)
    return stack(*parts, buff=THANKS_GAP, align=UP * 0).move_to([0, 0, 0])


class Closing(DeckSlide):
    SECTION = "Recap and references"

    def construct(self) -> None:
        self.takeaways()
        self.references()
        self.more_references()
        self.questions()

    @classmethod
    def last_frame(cls, talk: Talk) -> VGroup:
        return questions_picture(talk)

    @classmethod
    def note_fields(cls, model: Model) -> dict[str, object]:
        figures = cls.figures(model)
        return figures | {"recap": recap_notes().format(m=model, **figures)}

    @staticmethod
    def figures(model: Model) -> dict[str, object]:
        return {
            "saving": fmt.percent(model.kv_cache_saving),
            "table1": TABLE1,
            "alpha": UPTRAINING_ALPHA,
            "share": fmt.whole_percent(UPTRAINING_ALPHA.value),
            "first": GQA_PAPER,
            "count": len(cited_references()),
            "tp": model.tensor_parallel_degree(TP_LIMIT),
        }

    @classmethod
    def talk_fields(cls, talk: Talk) -> dict[str, object]:
        """The works its cut cites, and what is said of the recap points it keeps."""
        said = recap_notes(talk).format(m=talk.model, **cls.figures(talk.model))
        return {"count": len(cited_references(talk)), "recap": said}

    @classmethod
    def cites_of(cls, beat_name: str, talk: Talk | None = None) -> tuple[Reference, ...]:
        if beat_name == "takeaways":  # the works the kept points name
            return tuple(dict.fromkeys(r for i in recap_kept(talk) for r in RECAP_SAID[i][1]))
        return super().cites_of(beat_name, talk)

    @beat("{recap}")  # what is said of the points the talk shows (RECAP_SAID)
    def takeaways(self) -> None:
        pic = takeaways_picture(self.model, self.talk)
        self.enter(pic.titles)
        self.play(
            LaggedStart(
                *(fade_in(item, shift=RIGHT * theme.NUDGE) for item in pic.items),
                lag_ratio=theme.LAG_PARTS,
            ),
            run_time=theme.RUN_ROWS,
        )

    @beat("""
        The {count} works the slides cite. Read the GQA paper first: conversion, uptraining
        and evidence come from it.
    """)
    def references(self) -> None:
        self.show_references(0)

    @beat("""
        Later models, kernels and caches. Each cited where used.
    """)
    def more_references(self) -> None:
        self.show_references(1)

    def show_references(self, page: int) -> None:
        pic = references_picture(page, self.talk)
        self.play(
            *self.leave_content(),
            fade_in(pic.titles, shift=DOWN * theme.NUDGE),
            fade_in(pic.entries, shift=UP * theme.NUDGE),
            run_time=theme.RUN,
        )

    @beat("""
        Thank you; questions welcome. Every model figure is computed; published ones name
        their source.
    """)
    def questions(self) -> None:
        heading, *rest = questions_picture(self.talk)
        leaving = self.leave_content()
        self.play(
            Succession(
                AnimationGroup(*leaving, Write(heading), run_time=theme.RUN_WRITE),
                AnimationGroup(*(fade_in(part, shift=UP * theme.NUDGE) for part in rest)),
            ),
            run_time=theme.RUN_WRITE + theme.RUN,
        )
