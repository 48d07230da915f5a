"""The closing section: three takeaways, the references, and a last slide with the talk's
title and byline."""

from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, AnimationGroup, LaggedStart, Succession, VGroup, Write

from deck import format as fmt
from deck import theme
from deck.components.byline import byline
from deck.components.page import named_group, slide_title
from deck.components.spec import lines
from deck.components.text import centred, stack, text
from deck.components.wrap import wrap
from deck.content.model import Model
from deck.content.sources import REFERENCES, TABLE1, UPTRAINING_ALPHA
from deck.scenes.base import DeckSlide, beat
from deck.scenes.motion import fade_in
from deck.talk import Talk

NUMBER_COLUMN = 0.75  # a takeaway's number, then its text
TAKEAWAY_GAP = 0.5
TAKEAWAYS_TOP_GAP = 0.6  # between the title and the first takeaway
TAKEAWAY_LINE_GAP = 0.12
DETAIL_PITCH_EM = 1.35  # a takeaway's detail lines, closer than a table's rows
REFERENCE_GAP = 0.15  # added between references; a reference's own lines sit closer
REFERENCE_PITCH_EM = 1.3
HANGING_INDENT = 0.4  # a reference's second line starts this far in
THANKS_GAP = 0.4


def unbroken(phrase: str) -> str:
    """`phrase` with no-break spaces, so that wrapping keeps it on one line."""
    return phrase.replace(" ", "\u00a0")


def takeaway_texts(m: Model) -> list[tuple[str, str]]:
    """(headline, detail) of the three takeaways, every figure computed or cited."""
    gqa, mha, mqa = (TABLE1.row(name) for name in ("GQA-8-XXL", "MHA-XXL", "MQA-XXL"))
    return [
        (
            "Share K and V within groups of query heads",
            f"{m.title}: {m.n_heads} query heads, {m.n_kv_heads} KV heads, "
            f"KV cache −{fmt.percent(m.kv_cache_saving)} vs. MHA",
        ),
        (
            "Near-MHA quality at near-MQA speed",
            f"T5-XXL: {gqa.attention} scores {gqa.average:.1f} (MHA {mha.average:.1f}) in "
            f"{gqa.seconds_per_sample:.2f} s per sample (MQA {mqa.seconds_per_sample:.2f} s) "
            f"{unbroken('· ' + TABLE1.source)}",
        ),
        (
            "Existing MHA checkpoints convert cheaply",
            "mean-pool each group's K and V heads, then uptrain for "
            f"{fmt.whole_percent(UPTRAINING_ALPHA.value)} of the original pre-training steps "
            f"{unbroken('· ' + UPTRAINING_ALPHA.source)}",
        ),
    ]


def takeaways_picture(m: Model) -> VGroup:
    """The title and three numbered takeaways, each a headline and a wrapped detail."""
    titles = slide_title("Takeaways")
    width = theme.CONTENT_RIGHT - theme.CONTENT_LEFT - NUMBER_COLUMN
    items = VGroup()
    for number, (headline, detail) in enumerate(takeaway_texts(m), start=1):
        body = stack(
            text(headline, theme.SIZE.subheading),
            lines(
                wrap(detail, theme.SIZE.label, width),
                theme.SIZE.label,
                theme.MUTED,
                pitch_em=DETAIL_PITCH_EM,
            ),
            buff=TAKEAWAY_LINE_GAP,
        )
        mark = text(str(number), theme.SIZE.subheading, theme.TITLE)
        body.move_to([NUMBER_COLUMN, 0, 0], aligned_edge=UP + LEFT)
        mark.move_to([0, body[0].get_y(), 0], aligned_edge=LEFT)
        items.add(VGroup(mark, body))
    items.arrange(DOWN, buff=TAKEAWAY_GAP, aligned_edge=LEFT)
    top = titles.get_bottom()[1] - TAKEAWAYS_TOP_GAP
    items.move_to([theme.CONTENT_LEFT, top, 0], aligned_edge=UP + LEFT)
    return named_group(titles=titles, items=items)


def references_picture() -> VGroup:
    """Every reference's citation, wrapped to the content width with a hanging indent,
    on baselines at an even pitch (an extra gap between references)."""
    width = theme.CONTENT_RIGHT - theme.CONTENT_LEFT
    size = theme.SIZE.detail
    pitch = REFERENCE_PITCH_EM * theme.em(size)
    entries = VGroup()
    baseline = 0.0
    for ref in REFERENCES:
        first, *rest = wrap(ref.citation(), size, width)
        if rest:
            rest = wrap(" ".join(rest), size, width - HANGING_INDENT)
        block = lines([first, *rest], size, theme.TEXT, pitch_em=REFERENCE_PITCH_EM)
        for line in block[1:]:
            line.shift(RIGHT * HANGING_INDENT)
        entries.add(block.shift(UP * baseline))
        baseline -= len(block) * pitch + REFERENCE_GAP
    return entries.move_to([theme.CONTENT_LEFT, theme.CONTENT_TOP, 0], aligned_edge=UP + LEFT)


def thanks_picture(talk: Talk) -> VGroup:
    """ "Thank you", the talk's title and its byline (the lines the talk fills in), centred."""
    parts = [
        text("Thank you", theme.SIZE.title, theme.TITLE),
        centred(talk.title, theme.SIZE.body, theme.MUTED),
    ]
    credit = byline(talk)
    if credit.submobjects:
        parts.append(credit)
    return stack(*parts, buff=THANKS_GAP, align=UP * 0).move_to([0, 0, 0])


class Closing(DeckSlide):
    SECTION = "Takeaways and references"

    def construct(self) -> None:
        self.takeaways()
        self.references()
        self.thanks()

    @classmethod
    def last_frame(cls, talk: Talk) -> VGroup:
        return thanks_picture(talk)

    @classmethod
    def note_fields(cls, model: Model) -> dict[str, object]:
        return {
            "saving": fmt.percent(model.kv_cache_saving),
            "table1": TABLE1,
            "alpha": UPTRAINING_ALPHA,
            "first": REFERENCES[0],
            "count": len(REFERENCES),
        }

    @beat("""
        Three things to take home. Sharing each KV head within a group of query heads
        stores {m.n_kv_heads} KV heads instead of {m.n_heads}: {saving} less cache than
        MHA. On T5-XXL, GQA kept almost MHA's quality at almost MQA's speed
        ({table1.source}). An MHA checkpoint converts by mean-pooling, then uptraining
        for {alpha.value:.0%} of the original pre-training steps.
    """)
    def takeaways(self) -> None:
        pic = takeaways_picture(self.model)
        self.enter(pic.titles)
        self.play(
            LaggedStart(
                *(fade_in(item, shift=RIGHT * theme.NUDGE) for item in pic.items),
                lag_ratio=theme.LAG_PARTS,
            ),
            run_time=theme.RUN_ROWS,
        )

    @beat("""
        The {count} works the slides cite. Read the GQA paper first: the conversion, the
        uptraining and the evidence come from it.
    """)
    def references(self) -> None:
        entries = references_picture()
        self.play(
            *self.leave_content(),
            fade_in(entries, shift=UP * theme.NUDGE),
            run_time=theme.RUN,
        )

    @beat("""
        Thank you for listening; I am happy to take questions. Every figure about {m.title} in
        this talk was computed from its configuration, and every published figure names its
        paper.
    """)
    def thanks(self) -> None:
        heading, *rest = thanks_picture(self.talk)
        leaving = self.leave_content()
        self.play(
            Succession(
                AnimationGroup(*leaving, Write(heading), run_time=theme.RUN_WRITE),
                AnimationGroup(*(fade_in(part, shift=UP * theme.NUDGE) for part in rest)),
            ),
            run_time=theme.RUN_WRITE + theme.RUN,
        )
