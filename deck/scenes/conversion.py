"""Section: from an MHA checkpoint to GQA. Mean-pool each group's K and V heads (the GQA
paper's Figure 1) on a hand-built example, what that does to the layer's output, the same
for the model's shapes, then uptraining; and what today's models do instead: train GQA
from the start."""

from __future__ import annotations

import functools

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    AnimationGroup,
    Create,
    GrowFromEdge,
    LaggedStart,
    Succession,
    VGroup,
)

from deck import format as fmt
from deck import theme
from deck.components.bars import filled_bar
from deck.components.callout import card
from deck.components.conversion import Pooling, pooling_of_cells, row_label, weight_grid
from deck.components.page import body_top, named_group, slide_title, source_line
from deck.components.spec import table
from deck.components.text import stack, text
from deck.content.attention import ConversionExample, conversion_example
from deck.content.model import Model
from deck.content.sources import (
    CONVERSION_ABLATION,
    GQA_FIGURE1,
    GQA_PAPER,
    LLAMA2,
    LLAMA2_ABLATION,
    LLAMA2_FFN_WIDENED,
    LLAMA2_FROM_SCRATCH,
    LLAMA3,
    LLAMA3_KV_HEADS,
    MEAN_POOL_CONVERSION,
    UPTRAINING_ALPHA,
    UPTRAINING_CHIP_DAYS,
    UPTRAINING_FINDING,
)
from deck.scenes.base import DeckSlide, beat
from deck.scenes.motion import fade_in, fade_out
from deck.talk import Talk

EXAMPLE_GROUPS = 2  # the example's 4 heads pooled in pairs: GQA proper (Figure 1 pools to one)
EXAMPLE_CELL = 0.16  # one weight's square; a head of the example is 2 × 8 of them
EXAMPLE_GAP = 0.25  # between heads of a group
EXAMPLE_GROUP_GAP = 0.7  # between groups
EXAMPLE_ROW_GAP = 1.7  # from the heads down to their means
MODEL_HEADS_WIDTH = 6.2  # the model's heads, as cells
TIMELINE_WIDTH = 10.0  # the pre-training bar; uptraining is α of it
TIMELINE_HEIGHT = 0.6
TIMELINE_Y = 0.5
TIMELINE_LABEL_GAP = 0.2
FINDINGS_GAP = 0.9  # between the timeline and the findings under it
TEXT_INSET = 0.25  # a label inside a bar, from its left end
PRE_TRAINING_OPACITY = 0.35  # the pre-training bar stays in the background
UPTRAINING_LABEL_GAP = 0.08
SCRATCH_BAR_GAP = 0.55  # the from-scratch bar, under the converted model's
SCRATCH_FINDINGS_GAP = 0.6  # between the from-scratch bar and Llama 2's findings


@functools.cache
def example() -> ConversionExample:
    """The worked example: a seeded, hand-built MHA layer (not a trained model's)."""
    return conversion_example()


def example_pooling() -> Pooling:
    """The example's K heads, each a 2 × 8 grid of shaded weights, pooled in pairs."""
    ex = example()
    d = ex.head_dim
    low, high = float(ex.wk.min()), float(ex.wk.max())
    pooled = ex.at(EXAMPLE_GROUPS).wk

    def grid(w):
        return weight_grid(w, theme.K, EXAMPLE_CELL, low, high)

    heads = [grid(ex.wk[h * d : (h + 1) * d]) for h in range(ex.n_heads)]
    means = [grid(pooled[g * d : (g + 1) * d]) for g in range(EXAMPLE_GROUPS)]
    return Pooling(
        heads,
        means,
        ex.n_heads // EXAMPLE_GROUPS,
        (
            row_label("MHA", f"{ex.n_heads} K heads", theme.MHA),
            row_label("mean", "", theme.MUTED),
            row_label(f"GQA-{EXAMPLE_GROUPS}", f"{EXAMPLE_GROUPS} K heads", theme.GQA),
        ),
        gap=EXAMPLE_GAP,
        group_gap=EXAMPLE_GROUP_GAP,
        row_gap=EXAMPLE_ROW_GAP,
    )


def model_pooling(m: Model) -> Pooling:
    """An MHA checkpoint with the model's shapes: its query-head count of K heads, pooled
    into the model's KV heads."""
    return pooling_of_cells(
        m.n_heads,
        m.n_kv_heads,
        theme.K,
        MODEL_HEADS_WIDTH,
        (
            row_label("MHA", f"{m.n_heads} K heads", theme.MHA),
            row_label("mean", f"of {m.group_size}", theme.MUTED),
            row_label("GQA", f"{m.n_kv_heads} K heads", theme.GQA),
        ),
    )


def conversion_titles() -> VGroup:
    return slide_title("Mean-pool each group", "an MHA checkpoint's K and V heads, averaged")


def method_source() -> VGroup:
    # Figure 1 draws the MHA → MQA case; grouping is §2.2's text
    return source_line(
        f"method: {MEAN_POOL_CONVERSION.source} ({GQA_FIGURE1.where} draws the MQA case)"
    )


def uptraining_picture() -> VGroup:
    """Titles, the pre-training bar with α of it added, the paper's finding, the source."""
    alpha = UPTRAINING_ALPHA.value
    titles = slide_title(
        "Then uptrain",
        f"train the converted model for α = {fmt.whole_percent(alpha)} of the pre-training steps",
    )
    pre = filled_bar(TIMELINE_WIDTH, TIMELINE_HEIGHT, theme.MUTED, PRE_TRAINING_OPACITY)
    pre.move_to([theme.CONTENT_LEFT, TIMELINE_Y, 0], aligned_edge=LEFT)
    pre_label = text("pre-training (MHA)", theme.SIZE.label)
    pre_label.move_to(pre).align_to(pre, LEFT).shift(RIGHT * TEXT_INSET)
    up = filled_bar(TIMELINE_WIDTH * alpha, TIMELINE_HEIGHT, theme.GQA)
    up.next_to(pre, RIGHT, buff=0)
    up_label = stack(
        text(f"+ {fmt.whole_percent(alpha)}", theme.SIZE.body, theme.GQA),
        text("uptraining (GQA)", theme.SIZE.caption, theme.MUTED),
        buff=UPTRAINING_LABEL_GAP,
    )
    up_label.next_to(up, RIGHT, TIMELINE_LABEL_GAP)
    findings = table(
        [
            ("GQA", "T5-XXL scores reasonably before any uptraining"),
            ("MQA", "T5-XXL is useful only after it"),
        ],
        theme.SIZE.body,
        colors=(theme.GQA, theme.TEXT),
    )
    findings.next_to(pre, DOWN, FINDINGS_GAP).align_to(pre, LEFT)
    findings.rows[1][0].set_color(theme.MQA)
    return named_group(
        titles=titles,
        pre=VGroup(pre, pre_label),
        up=VGroup(up, up_label),
        findings=findings,
        source=source_line(f"{UPTRAINING_ALPHA.source}; {UPTRAINING_FINDING.cited.where}"),
    )


def from_scratch_picture() -> VGroup:
    """The uptraining slide's bars, a from-scratch GQA bar under them, and what Llama 2's
    ablation found; titles and source of their own."""
    up_pic = uptraining_picture()
    titles = slide_title(
        "Today: GQA from the first step",
        "rather than converted: new models pre-train with GQA",
    )
    bar = filled_bar(TIMELINE_WIDTH, TIMELINE_HEIGHT, theme.V, PRE_TRAINING_OPACITY)
    bar.next_to(up_pic.pre[0], DOWN, buff=SCRATCH_BAR_GAP).align_to(up_pic.pre[0], LEFT)
    label = text(f"pre-training (GQA): {LLAMA2_FROM_SCRATCH.text}", theme.SIZE.label)
    label.move_to(bar).align_to(bar, LEFT).shift(RIGHT * TEXT_INSET)
    side = stack(
        text("from scratch", theme.SIZE.body, theme.V),
        text("no conversion", theme.SIZE.caption, theme.MUTED),
        buff=UPTRAINING_LABEL_GAP,
    )
    side.next_to(bar, RIGHT, TIMELINE_LABEL_GAP).align_to(up_pic.up[1], LEFT)
    findings = table(
        [
            (LLAMA2_ABLATION.cited.where, LLAMA2_ABLATION.text),
            (
                LLAMA2_FFN_WIDENED.cited.where,
                f"GQA's FFN widened ×{LLAMA2_FFN_WIDENED.value} to keep MHA's parameter count",
            ),
            ("Llama 3", f"GQA with {LLAMA3_KV_HEADS.value:.0f} KV heads at every size"),
        ],
        theme.SIZE.label,
        colors=(theme.MUTED, theme.TEXT),
    )
    findings.next_to(bar, DOWN, SCRATCH_FINDINGS_GAP).align_to(bar, LEFT)
    source = source_line(
        f"{LLAMA2_FROM_SCRATCH.source}, {LLAMA2_ABLATION.cited.where}, "
        f"{LLAMA2_FFN_WIDENED.cited.where} · {LLAMA3_KV_HEADS.source}"
    )
    return named_group(
        titles=titles,
        pre=up_pic.pre,
        up=up_pic.up,
        scratch=VGroup(bar, label, side),
        findings=findings,
        source=source,
    )


class Conversion(DeckSlide):
    SECTION = "From an MHA checkpoint to GQA"

    def construct(self) -> None:
        self.mean_pool()
        self.conversion_error()
        self.model_heads()
        self.uptraining()
        self.from_scratch()

    @classmethod
    def last_frame(cls, talk: Talk) -> VGroup:
        return from_scratch_picture()

    @classmethod
    def note_fields(cls, model: Model) -> dict[str, object]:
        ex = example()
        return {
            "ex": ex,
            "tokens": ex.x.shape[0],
            "per_group": ex.n_heads // EXAMPLE_GROUPS,
            "gqa": ex.at(EXAMPLE_GROUPS),
            "mqa": ex.at(1),
            "method": MEAN_POOL_CONVERSION,
            "fig1": GQA_FIGURE1,
            "removed": fmt.spoken(model.params(model.n_heads) - model.params()),
            "ablation": CONVERSION_ABLATION,
            "alpha": UPTRAINING_ALPHA,
            "chip_days": UPTRAINING_CHIP_DAYS,
            "finding": UPTRAINING_FINDING,
            "scratch": LLAMA2_FROM_SCRATCH,
            "llama2_ablation": LLAMA2_ABLATION,
            "ffn": LLAMA2_FFN_WIDENED,
        }

    # ── layout shared by the beats ─────────────────────────────────────
    def setup(self) -> None:
        super().setup()
        self.titles = conversion_titles()
        self.source = method_source()
        self.picture_top = body_top(self.titles)

    def place_picture(self, picture: Pooling) -> Pooling:
        picture.place(theme.CONTENT_LEFT, self.picture_top)
        first = theme.first_column_after(picture.get_right()[0])
        self.card_left, _ = theme.columns(first, theme.COLUMNS)
        return picture

    def swap_card(self, new: VGroup, *also) -> None:
        new.move_to([self.card_left + new.width / 2, 0, 0]).align_to([0, self.picture_top, 0], UP)
        self.swap_side(new, *also)

    @property
    def card_width(self) -> float:
        return theme.CONTENT_RIGHT - self.card_left

    # ── beats ──────────────────────────────────────────────────────────
    @beat(
        """
        Converting an MHA checkpoint needs no new weights: each group's key and value
        heads are mean-pooled into one ({method.source}). Here on a hand-built example,
        every {per_group} neighbouring heads of the K projection become one KV head.
    """,
        cites=(GQA_PAPER,),
    )
    def mean_pool(self) -> None:
        pic = self.place_picture(example_pooling())
        ex = example()
        c = card(
            "Mean-pool",
            [
                "each KV head: the mean of its group's heads (V alike)",
                f"hand-built example: {ex.n_heads} heads, head dim {ex.head_dim}, "
                f"hidden {ex.hidden}",
                "one square per weight",
            ],
            theme.GQA,
            self.card_width,
        )
        self.enter(self.titles, self.source)
        # heads, then the tree, then the means: one after another, in one animation
        self.play(
            Succession(
                AnimationGroup(
                    fade_in(pic.labels[0]),
                    LaggedStart(*(fade_in(h) for h in pic.heads), lag_ratio=theme.LAG_PARTS),
                ),
                AnimationGroup(Create(pic.tree), fade_in(pic.labels[1])),
                AnimationGroup(
                    *(fade_in(p, shift=DOWN * theme.NUDGE) for p in pic.pooled),
                    fade_in(pic.labels[2]),
                ),
            ),
            run_time=3 * theme.RUN,
        )
        self.swap_card(c)
        self.picture = pic

    @beat(
        """
        Right after conversion the layer computes another function: on this hand-built
        example, one random seed, its output moves by {gqa.relative_error:.0%} for
        GQA-{gqa.n_groups} and {mqa.relative_error:.0%} for MQA. Other seeds give other
        figures, not always in this order. The paper's evidence is its
        {ablation.cited.where}: mean-pooling beats keeping the first head, which beats
        random initialisation.
    """,
        cites=(GQA_PAPER,),
    )
    def conversion_error(self) -> None:
        ex = example()
        names = {ex.n_heads: "MHA", 1: "MQA"}
        errors = table(
            [
                (names.get(c.n_groups, f"GQA-{c.n_groups}"), fmt.whole_percent(c.relative_error))
                for c in ex.converted
            ],
            theme.SIZE.body,
            colors=(theme.TEXT,),
            align_right=(False, True),
        )
        errors.rows[[c.n_groups for c in ex.converted].index(EXAMPLE_GROUPS)].set_color(theme.GQA)
        c = card(
            "After conversion",
            [
                f"hand-built example, seed {ex.seed}",
                "relative error ‖y′\u00a0−\u00a0y‖\u00a0/\u00a0‖y‖",
                "other seeds give other figures;",
                f"see {CONVERSION_ABLATION.source}",  # the paper's evidence: Figure 4
            ],
            theme.GQA,
            self.card_width,
        )
        # the errors under the picture, by its variants' names: with the card's words
        # they would run past the content's bottom
        c.move_to([self.card_left + c.width / 2, 0, 0]).align_to([0, self.picture_top, 0], UP)
        errors.align_to(
            [theme.CONTENT_LEFT, self.picture.get_bottom()[1] - theme.GAP_LARGE, 0], UP + LEFT
        )
        self.swap_side(VGroup(c, errors))

    @beat(
        """
        The same at {m.title}'s shapes. Mean-pooling groups of {m.group_size} leaves
        {m.n_kv_heads} of the {m.n_heads} key and value heads per layer: {removed}
        parameters fewer over {m.n_layers} layers.
    """,
        cites=(GQA_PAPER,),
    )
    def model_heads(self) -> None:
        m = self.model
        old = self.picture
        pic = self.place_picture(model_pooling(m))
        c = card(
            "Shapes",  # a long model name would not fit the card's title line
            [
                f"k_proj: {m.hidden} → {fmt.shape(m.n_heads, m.head_dim)}",
                f"pooled: {m.hidden} → {fmt.shape(m.n_kv_heads, m.head_dim)}",
                "v_proj alike",
                f"{fmt.integer(m.params(m.n_heads) - m.params())} parameters fewer "
                f"over {m.n_layers} layers",
            ],
            theme.GQA,
            self.card_width,
        )
        self.play(fade_out(old), run_time=theme.RUN_FAST)
        self.play(
            fade_in(VGroup(pic.labels, pic.heads, pic.extras)),
            Create(pic.tree),
            fade_in(pic.pooled, shift=DOWN * theme.NUDGE),
            run_time=theme.RUN,
        )
        self.swap_card(c)

    @beat(
        """
        Then uptraining: the converted model trains on for α = {alpha.value:.0%} of the
        original pre-training steps ({alpha.source}), about {chip_days.value:,.0f}
        {chip_days.unit} for T5-XXL. On T5-XXL, GQA scores reasonably before it; MQA needs
        it ({finding.source}).
    """,
        cites=(GQA_PAPER,),
    )
    def uptraining(self) -> None:
        pic = uptraining_picture()
        self.play(
            *self.leave_content(),
            fade_in(pic.titles, shift=DOWN * theme.NUDGE),
            fade_in(pic.pre),
            fade_in(pic.source),
            run_time=theme.RUN_FAST,
        )
        up, up_label = pic.up
        self.play(
            Succession(
                AnimationGroup(GrowFromEdge(up, LEFT), fade_in(up_label)),
                LaggedStart(*(fade_in(r, shift=RIGHT * theme.NUDGE) for r in pic.findings.rows)),
            ),
            run_time=2 * theme.RUN,
        )
        self.timeline = pic

    @beat(
        """
        New models pre-train with GQA, as {scratch.text} do. Llama 2's
        {llama2_ablation.cited.where}: at equal parameters, GQA is comparable to MHA on most tasks,
        above MQA on average.
    """,
        cites=(
            LLAMA3,
            LLAMA2,
        ),
    )
    def from_scratch(self) -> None:
        before = self.timeline  # its bars stay; the rest gives way
        pic = from_scratch_picture()
        self.play(
            *(fade_out(m) for m in (before.titles, before.findings, before.source)),
            fade_in(VGroup(pic.titles, pic.source), shift=DOWN * theme.NUDGE),
            run_time=theme.RUN_FAST,
        )
        bar, label, side = pic.scratch
        self.play(
            Succession(
                AnimationGroup(GrowFromEdge(bar, LEFT), fade_in(label), fade_in(side)),
                LaggedStart(*(fade_in(r, shift=RIGHT * theme.NUDGE) for r in pic.findings.rows)),
            ),
            run_time=2 * theme.RUN,
        )
