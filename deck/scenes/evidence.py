"""Section: evidence. The GQA paper's Table 1 drawn as its Figure 3 (time per sample against
quality), GQA-8's place in it, choosing the number of groups under tensor parallelism, and
the deck's models side by side."""

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
from deck.components.page import body_top, named_group, slide_title, source_line
from deck.components.scatter import Point, Scatter
from deck.components.shards import sharded
from deck.components.spec import table
from deck.components.text import text
from deck.components.variants import variant_color
from deck.content.model import PRESETS, Model
from deck.content.sources import (
    ASTRAI,
    GQA_FIGURE3,
    GQA_LIMITATIONS,
    GQA_PAPER,
    GQA_SHARDING,
    GROUPS_FINDING,
    LLAMA2,
    LLAMA2_TENSOR_PARALLEL,
    LLAMA3,
    LLAMA3_KV_HEADS,
    MISTRAL_7B,
    TABLE1,
    UPTRAINING_ALPHA,
    Table1Row,
)
from deck.scenes.base import DeckSlide, beat
from deck.scenes.motion import fade_in
from deck.talk import Talk

PLOT_COLUMNS = (1, 7)  # the whole figure, tick labels included; the card on 8 to 12
LABEL_OVERHANG = 0.1  # the last tick label reaches past the width the plot is given
TIME_STEP = 0.5  # seconds between the time axis's ticks
SCORE_STEP = 0.5  # points between the score axis's ticks
PLOT_BOTTOM_GAP = 0.25  # between the plot's time-axis title and the source line
DOT_GROW_FROM = 0.5  # a point and its label grow in from half their size
GQA_ROW = "GQA-8-XXL"
# Tensor parallelism over the GPUs of one node: Llama 2's attention ablation ran on 8 A100s
# (Touvron et al. 2023, §A.2.1); a model whose heads do not split 8 ways gets fewer.
TP_LIMIT = 8
TP_TOP_GAP = 0.3  # between the titles and the first row of GPUs
TP_LABEL_WIDTH = 2.7  # the rows' name and figure, left of the GPUs
TP_GPU_GAP = 0.12
TP_OUTLINE_ROOM = 0.15  # the GPUs stop short of the right margin: room for an outline
# between a row of GPUs and its caption: clear of the outline the next slide draws round
# the row, and a gap more
TP_CAPTION_GAP = theme.OUTLINE_ROOM + 0.08
TP_ROW_GAP = 0.25  # between a caption and the next row
TP_RULES_GAP = 0.25  # between the MQA row's caption and the rules under it


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
        width=theme.span(*PLOT_COLUMNS) - LABEL_OVERHANG,
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
    grid.move_to([theme.CONTENT_LEFT, body_top(titles), 0], aligned_edge=UP + LEFT)
    if grid.mark is not None:  # the outline's stroke too stays inside the content's edge
        grid.shift(RIGHT * theme.STROKE * theme.STROKE_UNIT / 2)
    return named_group(titles=titles, table=grid)


def tensor_parallel_degree(m: Model) -> int:
    return m.tensor_parallel_degree(TP_LIMIT)


def per_gpu(m: Model, n_kv_heads: int) -> str:
    return f"{fmt.nbytes(m.kv_cache_bytes_per_gpu(tensor_parallel_degree(m), 1, n_kv_heads))}"


def gqa_split_caption(m: Model) -> str:
    """How the model's KV heads fall onto the GPUs: split, or each copied."""
    tp = tensor_parallel_degree(m)
    kv = m.n_kv_heads
    if kv >= tp:
        return f"{kv} KV heads, {m.kv_heads_per_gpu(tp)} per GPU: no GPU holds a copy"
    return f"{kv} KV heads on {tp} GPUs: each head copied onto {m.gpus_per_kv_head(tp)} of them"


def tensor_parallel_picture(m: Model) -> VGroup:
    """Titles; the model's GQA and MQA, each a row of GPUs holding their KV heads, with the
    cache per GPU per token and a caption; the source."""
    tp = tensor_parallel_degree(m)
    titles = slide_title(
        "Choosing G: KV heads across GPUs",
        f"tensor parallelism over {tp} GPUs: each caches only the KV heads it holds",
    )
    width = theme.CONTENT_RIGHT - theme.CONTENT_LEFT - TP_OUTLINE_ROOM
    layout = {"label_width": TP_LABEL_WIDTH, "width": width, "gap": TP_GPU_GAP}
    gqa = sharded(
        f"GQA-{m.n_kv_heads}",
        (f"{per_gpu(m, m.n_kv_heads)} per GPU", "per token"),
        m.n_kv_heads,
        tp,
        theme.GQA,
        **layout,
    )
    mqa = sharded("MQA", (f"{per_gpu(m, 1)} per GPU", "per token"), 1, tp, theme.MQA, **layout)
    gqa_caption = text(gqa_split_caption(m), theme.SIZE.detail, theme.MUTED)
    mqa_caption = text(
        f"its one KV head copied onto all {tp} GPUs ({GQA_SHARDING.source})",
        theme.SIZE.detail,
        theme.MUTED,
    )
    top = titles.get_bottom()[1] - TP_TOP_GAP
    gqa.move_to([theme.CONTENT_LEFT, top, 0], aligned_edge=UP + LEFT)
    gqa_caption.next_to(gqa.gpus, DOWN, buff=TP_CAPTION_GAP).align_to(gqa.gpus, LEFT)
    mqa.next_to(gqa_caption, DOWN, buff=TP_ROW_GAP).align_to(gqa, LEFT)
    mqa_caption.next_to(mqa.gpus, DOWN, buff=TP_CAPTION_GAP).align_to(mqa.gpus, LEFT)
    source = source_line(
        f"{GQA_SHARDING.source}, {GROUPS_FINDING.cited.where} · {LLAMA3_KV_HEADS.source} · "
        f"{LLAMA2_TENSOR_PARALLEL.source}"
    )
    return named_group(
        titles=titles,
        gqa=VGroup(gqa, gqa_caption),
        mqa=VGroup(mqa, mqa_caption),
        source=source,
        gqa_row=gqa,
    )


def choosing_rules(m: Model, below: float) -> VGroup:
    """What follows for G: MHA's cache per GPU, the rule with Llama 3's 8 KV heads, and
    Figure 6's finding; top at `below`."""
    tp = tensor_parallel_degree(m)
    rules = table(
        [
            (
                "MHA",
                f"{m.kv_heads_per_gpu(tp, m.n_heads)} KV heads per GPU, "
                f"{per_gpu(m, m.n_heads)} per token",
            ),
            (
                "rule",
                "KV heads ≥ GPUs, else copies · Llama 3: "
                f"{LLAMA3_KV_HEADS.value:.0f} KV heads at every size",
            ),
            (
                GROUPS_FINDING.cited.where,
                GROUPS_FINDING.text,
            ),
        ],
        theme.SIZE.detail,
        colors=(theme.MUTED, theme.TEXT),
    )
    return rules.move_to([theme.CONTENT_LEFT, below, 0], aligned_edge=UP + LEFT)


class Evidence(DeckSlide):
    SECTION = "Evidence"

    def construct(self) -> None:
        self.figure3()
        self.gqa_point()
        self.tensor_parallel()
        self.choosing_groups()
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
            "tp": tensor_parallel_degree(model),
            "split": gqa_split_caption(model).replace(": ", ", ", 1),
            "gqa_gpu": fmt.spoken_bytes(
                model.kv_cache_bytes_per_gpu(tensor_parallel_degree(model))
            ),
            "mqa_gpu": fmt.spoken_bytes(
                model.kv_cache_bytes_per_gpu(tensor_parallel_degree(model), 1, 1)
            ),
            "mha_gpu": fmt.spoken_bytes(
                model.kv_cache_bytes_per_gpu(tensor_parallel_degree(model), 1, model.n_heads)
            ),
            "sharding": GQA_SHARDING,
            "llama2_tp": LLAMA2_TENSOR_PARALLEL,
            "llama3": LLAMA3_KV_HEADS,
            "fig6": GROUPS_FINDING.cited,
        }

    def setup(self) -> None:
        super().setup()
        self.titles = slide_title("Quality against time", "T5 models, Table 1 of the GQA paper")
        self.source = figure3_source()
        self.plot = figure3(body_top(self.titles), self.source.get_top()[1] + PLOT_BOTTOM_GAP)
        first = theme.first_column_after(self.plot.get_right()[0])
        self.card_left, _ = theme.columns(first, theme.COLUMNS)
        self.card_width = theme.span(first, theme.COLUMNS)

    def swap_card(self, new: VGroup, *also, along=None) -> None:
        top = self.plot.get_top()[1]
        new.move_to([self.card_left + new.width / 2, 0, 0]).align_to([0, top, 0], UP)
        self.swap_side(new, *also, along=along)

    # ── beats ──────────────────────────────────────────────────────────
    @beat(
        """
        The paper's Table 1 drawn as its {fig3.where}: time per sample against average
        score, for T5. MHA-XXL scores {mha.average} in {mha.seconds_per_sample} s,
        MQA-XXL {mqa.average} in {mqa.seconds_per_sample} s; MQA and GQA are MHA-XXL
        uptrained for {alpha.value:.0%} ({table1.source}).
    """,
        cites=(GQA_PAPER,),
    )
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

    @beat(
        """
        {gqa.model} scores {gqa.average} in {gqa.seconds_per_sample} s: almost MHA's
        quality at almost MQA's speed ({table1.source}). That is T5-XXL, an
        encoder-decoder with GQA in its decoder; the paper's {limits.cited.where} name
        no decoder-only model and no training from scratch.
    """,
        cites=(GQA_PAPER,),
    )
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

    @beat(
        """
        Over {tp} GPUs, each keeps only the KV heads of its own query heads: {gqa_gpu} per
        token. MQA's one head sits on every GPU, {mqa_gpu} each (the GQA
        paper's §2.2).
    """,
        cites=(
            GQA_PAPER,
            LLAMA3,
            LLAMA2,
        ),
    )
    def tensor_parallel(self) -> None:
        pic = tensor_parallel_picture(self.model)
        self.play(
            *self.leave_content(),
            fade_in(pic.titles, shift=DOWN * theme.NUDGE),
            fade_in(pic.source),
            run_time=theme.RUN_FAST,
        )
        self.side_content = []
        self.play(
            LaggedStart(
                *(fade_in(part, shift=RIGHT * theme.NUDGE) for part in (pic.gqa, pic.mqa)),
                lag_ratio=theme.LAG_PARTS,
            ),
            run_time=theme.RUN_ROWS,
        )
        self.tp_picture = pic

    @beat(
        """
        So give a model at least as many KV heads as GPUs: Llama 3 has {llama3.value:.0f} at
        every size. The GQA paper's {fig6.where}: a few groups cost little time over MQA, many
        cost more.
    """,
        cites=(
            GQA_PAPER,
            LLAMA3,
            LLAMA2,
        ),
    )
    def choosing_groups(self) -> None:
        pic = self.tp_picture
        rules = choosing_rules(self.model, pic.mqa.get_bottom()[1] - TP_RULES_GAP)
        self.play(
            Create(outline(pic.gqa_row.gpus, theme.GQA)),
            LaggedStart(*(fade_in(r, shift=RIGHT * theme.NUDGE) for r in rules.rows)),
            run_time=theme.RUN_ROWS,
        )

    @beat(
        """
        The deck's models, computed from their dimensions: {m.title}'s group size is
        {m.group_size}, its cache {cache} per token. The cache grows with layers, KV
        heads and head dimension, not query heads.
    """,
        cites=(
            LLAMA3,
            MISTRAL_7B,
            ASTRAI,
        ),
    )
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
