"""Section: evidence. The GQA paper's Table 1 drawn as its Figure 3 (time per sample against
quality), GQA-8's place in it, and the deck's models side by side."""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    AnimationGroup,
    Create,
    LaggedStart,
    Succession,
    VGroup,
)

from deck import format as fmt
from deck import theme
from deck.components.callout import card
from deck.components.highlight import outline
from deck.components.model_table import ModelTable
from deck.components.page import named_group, slide_title, source_line
from deck.components.scatter import Point, Scatter
from deck.components.variants import variant_color
from deck.content.model import PRESETS, Model
from deck.content.sources import GQA_FIGURE3, GQA_LIMITATIONS, TABLE1, UPTRAINING_ALPHA, Table1Row
from deck.scenes.base import DeckSlide, beat
from deck.scenes.motion import fade_in
from deck.talk import Talk

PLOT_WIDTH = 7.9  # the whole figure, tick labels included
TIME_STEP = 0.5  # seconds between the time axis's ticks
SCORE_STEP = 0.5  # points between the score axis's ticks
PLOT_TOP_GAP = 0.3  # between the slide's titles and the plot's
PLOT_BOTTOM_GAP = 0.25  # between the plot's time-axis title and the source line
CARD_GAP = 0.6
DOT_GROW_FROM = 0.5  # a point and its label grow in from half their size
TABLE_TOP_GAP = 0.7  # between the titles and the table
GQA_ROW = "GQA-8-XXL"


def table1_points() -> list[Point]:
    """Table 1's rows as points, each in the colour the deck gives its kind of attention."""

    def point(r: Table1Row) -> Point:
        color = variant_color(r.attention.split("-")[0])  # "GQA-8" is GQA
        values = f"{r.seconds_per_sample:.2f} s · {r.average:.1f}"  # as Table 1 prints them
        return Point(r.model, values, r.seconds_per_sample, r.average, color)

    return [point(r) for r in TABLE1.rows]


def figure3(top: float, bottom: float) -> Scatter:
    """Table 1 as a scatter plot filling the height from `top` down to `bottom`, its
    tick labels at the left margin."""
    plot = Scatter(
        table1_points(),
        width=PLOT_WIDTH,
        height=top - bottom,
        x_step=TIME_STEP,
        y_step=SCORE_STEP,
        x_title="inference time per sample (s)",
        y_title="average score",
    )
    return plot.move_to([theme.CONTENT_LEFT, top, 0], aligned_edge=UP + LEFT)


def figure3_source() -> VGroup:
    return source_line(f"{TABLE1.source}, drawn as {GQA_FIGURE3.where}")


def talk_models(talk: Talk) -> list[Model]:
    """The deck's presets, and the talk's model after them if it is not one of them."""
    models = list(PRESETS.values())
    return models if talk.model in models else [*models, talk.model]


def models_picture(talk: Talk) -> VGroup:
    """Titles and the models' table, the talk's model highlighted."""
    titles = slide_title(
        "GQA in the deck's models", "computed from each model's dimensions and dtype"
    )
    grid = ModelTable(talk_models(talk), highlight=talk.model)
    grid.move_to([0, titles.get_bottom()[1] - TABLE_TOP_GAP, 0], aligned_edge=UP)
    grid.align_to(titles, LEFT)
    return named_group(titles=titles, table=grid)


class Evidence(DeckSlide):
    SECTION = "Evidence"

    def construct(self) -> None:
        self.figure3()
        self.gqa_point()
        self.models_table()

    @classmethod
    def last_frame(cls, talk: Talk) -> VGroup:
        return models_picture(talk)

    @classmethod
    def note_fields(cls, model: Model) -> dict[str, object]:
        return {
            "table1": TABLE1,
            "fig3": GQA_FIGURE3,
            "alpha": UPTRAINING_ALPHA,
            "large": TABLE1.row("MHA-Large"),
            "mha": TABLE1.row("MHA-XXL"),
            "mqa": TABLE1.row("MQA-XXL"),
            "gqa": TABLE1.row(GQA_ROW),
            "cache": fmt.spoken_bytes(model.kv_cache_bytes(1)),
            "limits": GQA_LIMITATIONS,
        }

    def setup(self) -> None:
        super().setup()
        self.titles = slide_title("Quality against time", "T5 models, Table 1 of the GQA paper")
        self.source = figure3_source()
        self.plot = figure3(
            self.titles.get_bottom()[1] - PLOT_TOP_GAP,
            self.source.get_top()[1] + PLOT_BOTTOM_GAP,
        )
        self.card_left = self.plot.get_right()[0] + CARD_GAP
        self.card_width = theme.CONTENT_RIGHT - self.card_left

    def swap_card(self, new: VGroup, *also, along=None) -> None:
        top = self.plot.get_top()[1]
        new.move_to([self.card_left + new.width / 2, 0, 0]).align_to([0, top, 0], UP)
        self.swap_side(new, *also, along=along)

    # ── beats ──────────────────────────────────────────────────────────
    @beat("""
        The paper's Table 1 drawn as its {fig3.where}: time per sample against average
        score, for T5. MHA-XXL scores {mha.average} in {mha.seconds_per_sample} s,
        MQA-XXL {mqa.average} in {mqa.seconds_per_sample} s; MQA and GQA are MHA-XXL
        uptrained for {alpha.value:.0%} ({table1.source}).
    """)
    def figure3(self) -> None:
        plot = self.plot
        c = card(
            "Table 1",
            [
                "T5 Large and XXL",
                "MQA and GQA: MHA-XXL converted, then uptrained (α\u00a0=\u00a0"
                f"{fmt.whole_percent(UPTRAINING_ALPHA.value)})",
                "up and left is better",
            ],
            theme.ATTENTION,
            self.card_width,
        )
        self.enter(self.titles, self.source)
        self.play(
            Succession(
                AnimationGroup(Create(plot.axes), fade_in(plot.tick_labels), fade_in(plot.titles)),
                LaggedStart(
                    *(
                        fade_in(VGroup(dot, label), scale=DOT_GROW_FROM)
                        for dot, label in zip(plot.dots, plot.labels, strict=True)
                    ),
                    lag_ratio=theme.LAG_PARTS,
                ),
            ),
            run_time=2 * theme.RUN,
        )
        self.swap_card(c)

    @beat("""
        {gqa.model} scores {gqa.average} in {gqa.seconds_per_sample} s: almost MHA's
        quality at almost MQA's speed ({table1.source}). That is T5-XXL, an
        encoder-decoder with GQA in its decoder; the paper's {limits.cited.where} name
        no decoder-only model and no training from scratch.
    """)
    def gqa_point(self) -> None:
        plot = self.plot
        gqa, mha, mqa = (TABLE1.row(name) for name in (GQA_ROW, "MHA-XXL", "MQA-XXL"))
        mark = outline(VGroup(plot.dot(GQA_ROW), plot.label(GQA_ROW)), theme.GQA)
        c = card(
            GQA_ROW,
            [
                f"scores {gqa.average:.1f}, close to MHA-XXL's {mha.average:.1f}",
                f"takes {gqa.seconds_per_sample:.2f}\u00a0s per sample, close to MQA-XXL's "
                f"{mqa.seconds_per_sample:.2f}\u00a0s",
                f"MHA-XXL takes {mha.seconds_per_sample:.2f}\u00a0s",
            ],
            theme.GQA,
            self.card_width,
        )
        self.swap_card(c, Create(mark), along=mark)

    @beat("""
        The deck's models, computed from their dimensions: {m.title}'s group size is
        {m.group_size}, its cache {cache} per token. The cache grows with layers, KV
        heads and head dimension, not query heads.
    """)
    def models_table(self) -> None:
        pic = models_picture(self.talk)
        grid = pic.table
        self.play(
            *self.leave_content(),
            fade_in(pic.titles, shift=DOWN * theme.NUDGE),
            fade_in(grid.header),
            Create(grid.rule),
            run_time=theme.RUN_FAST,
        )
        rows = LaggedStart(*(fade_in(r, shift=RIGHT * theme.NUDGE) for r in grid.rows))
        if grid.mark is None:
            self.play(rows, run_time=theme.RUN_ROWS)
        else:  # the talk's model is outlined once its row is there
            self.play(Succession(rows, Create(grid.mark)), run_time=theme.RUN_ROWS + theme.RUN_FAST)
