"""The KV-cache calculator: live in the HTML deck, a table everywhere else.

The HTML export replaces this scene's slide with a calculator (deck/content/kv_calculator.py
and its template); the rendered slide, which the presenter, PDF and PPTX show, is the
same information at fixed settings: every shipped model at its maximum length.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from manim import DOWN, LEFT, RIGHT, UP, Create, LaggedStart, VGroup

from deck import format as fmt
from deck import theme
from deck.components.highlight import outline
from deck.components.page import body_top, slide_title
from deck.components.spec import fit_width, table
from deck.components.text import stack, text
from deck.content.model import PRESETS, Model
from deck.content.sources import ASTRAI, LLAMA3, MISTRAL_7B
from deck.content.wrap import wrap
from deck.scenes.base import DeckSlide, Placement, beat, one_line_paragraphs
from deck.scenes.motion import fade_in
from deck.talk import Talk

if TYPE_CHECKING:
    from deck.content.widgets import Widget

# "Tokens": each model's max length (the heading says so); "Q / KV": query and KV heads.
COLUMNS = ("Model", "Tokens", "Q / KV", "MHA", "GQA", "MQA", "All weights")
# The size columns and the counts line up on their right edge, the names on their left.
RIGHT_ALIGNED = (False, True, True, True, True, True, True)
NOTE_GAP = 0.45
FOOTNOTE_GAP = 0.2
LINE_GAP = 0.1  # between a wrapped footnote's lines
WINDOWED = "†"  # marks a model whose layers keep a window, not the whole context
# The HTML deck's notes for its live calculator (the beat's notes describe the table the
# other formats show).
LIVE_NOTES = one_line_paragraphs("""
    This slide is live: pick a model, a context length, a batch and the cache's dtype,
    and the bars follow. Slide the context up first: the KV cache grows with every token,
    the weights stay as they are. Tab reaches the controls; Escape hands the keys back
    to the slides.
""")


def calculator_models(talk: Talk) -> list[Model]:
    """Every shipped preset, then the talk's own model when it is not one of them."""
    presets = list(PRESETS.values())
    return presets if talk.model.name in PRESETS else [*presets, talk.model]


def windowed(m: Model) -> bool:
    """Whether some layer keeps fewer tokens than the model's max length."""
    return m.sliding_window is not None and m.sliding_window < m.max_len


def window_note(models: list[Model]) -> str | None:
    """What the mark on a windowed model's tokens means, or None without one."""
    said = "; ".join(describe_window(m) for m in models if windowed(m))
    return f"{WINDOWED} a sliding window: {said}" if said else None


def describe_window(m: Model) -> str:
    where = (
        "" if m.sliding_layers == m.n_layers else f" in {m.sliding_layers} of {m.n_layers} layers"
    )
    return f"{m.title} keeps the last {fmt.integer(m.sliding_window)} tokens{where}"


def model_row(m: Model) -> tuple[str, ...]:
    """One model's figures at its maximum length, one sequence, in its own dtype."""
    sizes = (fmt.nbytes(m.kv_cache_bytes(m.max_len, kv)) for _, kv in m.attention_variants)
    return (
        m.title,
        fmt.integer(m.max_len) + (WINDOWED if windowed(m) else ""),
        f"{m.n_heads} / {m.n_kv_heads}",
        *sizes,
        fmt.nbytes(m.weight_bytes()),
    )


def calculator_table(talk: Talk) -> tuple[VGroup, VGroup]:
    """The titles, and the table (the talk's model outlined) with a note, placed on the slide."""
    models = calculator_models(talk)
    dtypes = list(dict.fromkeys(m.dtype for m in models))
    dtype = dtypes[0] if len(dtypes) == 1 else "in each model's dtype"
    titles = slide_title(
        "KV cache at each model's max length", f"one sequence, {dtype}; the weights for scale"
    )
    muted, plain = theme.MUTED, theme.TEXT
    grid = table(
        [COLUMNS, *(model_row(m) for m in models)],
        theme.SIZE.label,
        colors=(plain, muted, muted, plain, theme.GQA, plain, plain),
        align_right=RIGHT_ALIGNED,
    )
    grid.rows[0].set_color(muted)  # the column heads
    fit_width(grid, theme.CONTENT_WIDTH - 2 * theme.OUTLINE_ROOM)  # the outline's room kept
    row = grid.rows[1 + [m.name for m in models].index(talk.model.name)]
    mark = outline(row, theme.HIGHLIGHT, stroke=theme.STROKE)
    note = text(
        "In the HTML deck this slide is live: pick a model, the context, the batch and the dtype",
        theme.SIZE.detail,
        theme.MUTED,
    )
    said = window_note(models)
    if said is not None:  # the footnote under the table, before the live note
        lines = wrap(said, theme.SIZE.detail, theme.CONTENT_WIDTH)
        footnote = stack(*(text(t, theme.SIZE.detail, theme.MUTED) for t in lines), buff=LINE_GAP)
        note = stack(footnote, note, buff=FOOTNOTE_GAP)
    body = stack(VGroup(grid, mark), note, buff=NOTE_GAP)
    # the table under the titles, its outline's left edge on the content's
    body.move_to([theme.CONTENT_LEFT, body_top(titles), 0], aligned_edge=UP + LEFT)
    return titles, VGroup(grid, mark, note)


class KVCalculator(DeckSlide):
    SECTION = "KV-cache calculator"

    def construct(self) -> None:
        self.calculator()

    @classmethod
    def last_frame(cls, talk: Talk) -> VGroup:
        return VGroup(*calculator_table(talk))

    @classmethod
    def live_beats(cls, talk: Talk, placement: Placement) -> dict[str, Widget]:
        """The HTML deck shows the calculator, with the header this slide's video has."""
        from deck.content.kv_calculator import calculator_widget  # the page's data, not manim's

        header = f"{placement.section} · {cls.SECTION}"
        counter = f"{placement.first_slide} / {placement.total_slides}"
        own = dict(placement.notes).get("calculator")  # the talk's own notes serve for both
        notes = cls.notes_for("calculator", talk.model, own, talk) if own else LIVE_NOTES
        widget = calculator_widget(calculator_models(talk), talk.model, header, counter, notes)
        return {"calculator": widget}

    @beat(
        """
        In the HTML deck this slide is live: pick a model, context, batch and dtype.
        Here every shipped model at its maximum length.
    """,
        cites=(
            LLAMA3,
            MISTRAL_7B,
            ASTRAI,
        ),
    )
    def calculator(self) -> None:
        titles, (grid, mark, note) = calculator_table(self.talk)
        # a cross-fade: the previous picture leaves as the titles come (never an empty frame)
        self.play(
            *self.leave_previous(), fade_in(titles, shift=DOWN * theme.NUDGE), run_time=theme.RUN
        )
        self.play(
            LaggedStart(
                *(fade_in(row, shift=RIGHT * theme.NUDGE) for row in grid.rows),
                lag_ratio=theme.LAG_PARTS,
            ),
            run_time=theme.RUN_ROWS,
        )
        self.play(Create(mark), fade_in(note), run_time=theme.RUN)
