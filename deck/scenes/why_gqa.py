"""Section: why GQA. Decoding re-reads the weights and the whole KV cache for every token;
the cache per token, term by term; the cache against context length for MHA, GQA and
MQA beside the weights' size, for one sequence and for a batch."""

from __future__ import annotations

import math
from dataclasses import dataclass

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Arrow,
    Create,
    GrowFromEdge,
    LaggedStart,
    ReplacementTransform,
    VGroup,
    Write,
)

from deck import format as fmt
from deck import theme
from deck.components.callout import card, place_in_column
from deck.components.formula import Formula
from deck.components.highlight import outline
from deck.components.line_chart import Axis, EndLabel, LogChart, Plot, powers_of_two
from deck.components.page import slide_title, source_line
from deck.components.roles import LINE, OVERLAY, tag
from deck.components.spec import lines, table
from deck.components.step_reads import ReadBar, ReadsPanel, reads_legend
from deck.components.text import text
from deck.components.variants import variant_color
from deck.content.model import Model
from deck.content.wrap import wrap
from deck.scenes.base import DeckSlide, beat
from deck.scenes.motion import fade_in, fade_out
from deck.talk import Talk

# ── the chart ───────────────────────────────────────────────────────────
# A batch is shown at the smallest power of two, from 2, at which GQA's cache at the full
# context reaches the weights; at most 256 sequences, around where serving systems stop
# growing a batch, so a model whose cache never gets there still gets a readable chart.
MIN_BATCH, BATCH_CAP = 2, 256
X_TICKS = 6  # at most this many labelled context lengths
BYTES_TICK = 1024  # the y-axis is labelled at 1 KiB, 1 MiB, 1 GiB, ...
# The plot box: its tick labels left of it fill the first column, its axis title above it
# starts under the slide's title; its end labels run up to the card on columns 9 to 12.
CHART_CARD_COLUMNS = (9, 12)
CHART_PLOT = Plot(
    left=theme.CONTENT_LEFT + 0.95, bottom=-2.6, width=5.3, height=theme.BODY_TOP - 0.45 + 2.6
)
CHART_CARD_LEFT = theme.columns(*CHART_CARD_COLUMNS)[0]

# ── the first slide: what a decoding step reads ─────────────────────────
READS_COLUMNS = (1, 6)  # the weights and the cache; the arrows cross column 7
STEP_COLUMNS = (8, 12)  # the decoding step they feed
READS_GAP = 0.45  # between the two cards on the left
ARROW_SPREAD = 0.35  # the two arrows reach the step card this far above and below its middle

# ── what a step reads, for one sequence and for the chart's batch ──────
READS_LEGEND_TOP = theme.BODY_TOP_SUBTITLED  # under the slide's title and subtitle
READS_PANEL_TOPS = (0.98, -1.2)  # batch 1 above, the chart's batch below
READS_BAR_WIDTH = 7.2  # leaves room for the values and, at the right, the ratio

# ── the formula ─────────────────────────────────────────────────────────
# Two thick spaces on each side of a dot: the outlines of two neighbouring factors keep
# their theme.HIGHLIGHT_GAP from the dot between them.
_DOT = " thick thick dot thick thick "
FACTORS = (
    "{{ 2 : kv }}",
    '{{ "layers" : layers }}',
    '{{ "KV heads" : heads }}',
    '{{ "head dim" : dim }}',
    '{{ "bytes" : bytes }}',
)
FORMULA = _DOT.join(FACTORS)
PARTS = ("kv", "layers", "heads", "dim", "bytes")
FORMULA_Y = 1.35
VALUES_Y = 0.3
EXPLAIN_TOP = -0.65
RESULT_Y = -2.6


def chart_batch(m: Model) -> int:
    """The batch the chart's second slide shows (see `MIN_BATCH`, `BATCH_CAP`)."""
    batch = MIN_BATCH
    while batch < BATCH_CAP and m.kv_cache_bytes(m.max_len, batch=batch) < m.weight_bytes():
        batch *= 2
    return batch


def context_points(m: Model) -> list[int]:
    """Where the curves are drawn: every power of two up to the context, the context
    itself, and every sliding window (where that layer's cache stops growing)."""
    marks = {2**e for e in range(int(math.log2(m.max_len)) + 1)} | {m.max_len}
    marks |= {w for w in m.layer_windows if w is not None and w < m.max_len}
    return sorted(marks)


def chart_frame(m: Model) -> LogChart:
    """Axes wide enough for one sequence of MQA (one token) up to a batch of MHA."""
    smallest = m.kv_cache_bytes(1, n_kv_heads=1)
    largest = max(m.weight_bytes(), m.kv_cache_bytes(m.max_len, m.n_heads, chart_batch(m)))
    low, high = 2 ** math.floor(math.log2(smallest)), 2 ** math.ceil(math.log2(largest))
    y_ticks = [BYTES_TICK**k for k in range(1, 6) if low <= BYTES_TICK**k <= high]
    step = math.ceil((math.floor(math.log2(m.max_len)) + 1) / X_TICKS)
    x = Axis(
        1,
        m.max_len,
        tuple((t, fmt.integer(t)) for t in powers_of_two(1, m.max_len, step)),
        "context length (tokens)",
    )
    y = Axis(
        low,
        high,
        tuple((v, fmt.nbytes(v)) for v in y_ticks),
        f"K and V of all {m.n_layers} layers, {m.dtype}",
    )
    return LogChart(x, y, CHART_PLOT)


@dataclass
class ChartLines:
    """What the chart shows for one batch size."""

    curves: VGroup
    weights: VGroup  # the weights' level
    labels: VGroup
    markers: VGroup  # where a cache reaches the weights

    def group(self) -> VGroup:
        return VGroup(self.weights, self.curves, self.labels, self.markers)


def chart_lines(chart: LogChart, m: Model, batch: int) -> ChartLines:
    weights = m.weight_bytes()
    points = context_points(m)
    curves, labels, markers = VGroup(), [], VGroup()
    for name, kv in m.attention_variants:
        color = variant_color(name)
        curves.add(chart.curve([(t, m.kv_cache_bytes(t, kv, batch)) for t in points], color))
        full = m.kv_cache_bytes(m.max_len, kv, batch)
        labels.append(EndLabel(f"{name} {fmt.nbytes(full)}", color, full))
        reached = m.kv_reaches_weights_at(kv, batch)
        if reached is not None:
            markers.add(chart.marker(reached, weights, color))
    return ChartLines(
        curves,
        chart.level(weights, theme.WEIGHTS, f"weights {fmt.nbytes(weights)}"),
        chart.end_labels(labels, theme.SIZE.detail),
        markers,
    )


def reached(m: Model, batch: int) -> list[tuple[str, int]]:
    """(variant, tokens) for each cache that reaches the weights' size within the context."""
    found = [(name, m.kv_reaches_weights_at(kv, batch)) for name, kv in m.attention_variants]
    return [(name, t) for name, t in found if t is not None]


def spoken_list(items: list[str]) -> str:
    """a, b and c"""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def crossing_sentence(m: Model, batch: int) -> str:
    """The notes' sentence on where the caches reach the weights' size."""
    said = [f"{fmt.spoken_tokens(t)} tokens with {name}" for name, t in reached(m, batch)]
    if not said:
        return f"No cache reaches the weights within {fmt.spoken_tokens(m.max_len)} tokens."
    return f"The cache reaches the weights' size at {spoken_list(said)}."


def growth_sentence(m: Model) -> str:
    if m.sliding_window is None:
        return "Double the context, double the cache."
    if m.sliding_layers == m.n_layers:
        return (
            "Double the context and the cache doubles, up to the sliding window of "
            f"{fmt.spoken_tokens(m.sliding_window)} tokens: from there it grows no more."
        )
    return (
        f"The curves bend at {fmt.spoken_tokens(m.sliding_window)} tokens, where "
        f"{m.sliding_layers} of the {m.n_layers} layers stop keeping more: their window is full."
    )


def window_note(m: Model) -> list[str]:
    if m.sliding_window is None:
        return []
    if m.sliding_layers == m.n_layers:
        return [f"sliding window: the cache stops growing at {m.sliding_window:,} tokens"]
    return [
        f"{m.sliding_layers} of {m.n_layers} layers keep only the last {m.sliding_window:,} tokens"
    ]


def chart_card(m: Model, batch: int) -> VGroup:
    """What the chart shows for `batch` sequences, and where each cache reaches the weights."""
    width = theme.CONTENT_RIGHT - CHART_CARD_LEFT
    found = reached(m, batch)
    if batch == 1:
        title, said = "One sequence", window_note(m)
    else:
        title, said = (
            f"A batch of {batch}",
            [f"{batch} sequences, {batch} caches"],
        )
    if found:
        said.append("the cache reaches the weights at")
        where = [table([(name, f"{t:,} tokens") for name, t in found], theme.SIZE.detail)]
    else:
        said.append(f"no cache reaches the weights within {m.max_len:,} tokens")
        where = []
    c = card(title, said, theme.TITLE, width, *where)
    return place_in_column(c, CHART_CARD_LEFT, theme.CONTENT_RIGHT, CHART_PLOT.top)


def chart_title() -> VGroup:
    return slide_title("KV cache vs. context length")


# ── what one decoding step reads ────────────────────────────────────────
def read_ratio(m: Model, batch: int) -> float:
    """How many times the bytes GQA's step reads MHA's step reads, at the full context."""
    return m.bytes_read_per_step(batch, n_kv_heads=m.n_heads) / m.bytes_read_per_step(batch)


def reads_title(m: Model) -> VGroup:
    return slide_title(
        "What one decoding step reads",
        f"the weights once, and every sequence's KV cache at {m.max_len:,} tokens",
    )


def weights_read_words(m: Model) -> str:
    """Which weights a step reads: the input embedding is a lookup, unless it is tied to
    the output head, which is read in full."""
    if m.tie_embeddings:
        return "all, the tied embedding included"
    return "all but the input embedding"


def reads_key(m: Model) -> VGroup:
    weights = fmt.nbytes(m.weights_read_per_step * m.dtype_bytes)
    colors = [variant_color(name) for name, _ in m.attention_variants]
    key = reads_legend(f"weights: {weights}, {weights_read_words(m)}", "KV cache", colors)
    return key.align_to([theme.CONTENT_LEFT, READS_LEGEND_TOP, 0], UP + LEFT)


def reads_panel(m: Model, batch: int, top: float) -> ReadsPanel:
    """MHA, GQA and MQA at `batch` sequences of the full context, with MHA ÷ GQA beside."""
    weights = m.weights_read_per_step * m.dtype_bytes
    bars = []
    for name, kv in m.attention_variants:
        cache = m.kv_cache_bytes(m.max_len, kv, batch)
        value = f"{fmt.nbytes(weights)} + {fmt.nbytes(cache)}"
        bars.append(ReadBar(name, variant_color(name), weights, cache, value))
    sequences = "1 sequence" if batch == 1 else f"a batch of {batch} sequences"
    return ReadsPanel(
        sequences,
        bars,
        fmt.times(read_ratio(m, batch)),
        "MHA ÷ GQA",
        variant_color("GQA"),
        left=theme.CONTENT_LEFT,
        right=theme.CONTENT_RIGHT,
        top=top,
        bar_width=READS_BAR_WIDTH,
    )


def reads_footnote() -> VGroup:
    return source_line("the same weights for all three; each panel drawn to its own scale")


# ── the formula ─────────────────────────────────────────────────────────
def formula_values(m: Model, f: Formula) -> dict[str, VGroup]:
    """Each factor's value for this model, under its part of the formula."""
    values = {
        "kv": ("2", theme.TEXT),
        "layers": (f"{m.n_layers}", theme.TEXT),
        "heads": (f"{m.n_kv_heads}", variant_color("GQA")),
        "dim": (f"{m.head_dim}", theme.TEXT),
        "bytes": (f"{m.dtype_bytes}", theme.TEXT),
    }
    # typeset as the formula is, so a factor and its value are in one face
    return {
        part: Formula(value, theme.SIZE.heading, color).move_to(
            [f.select(part).get_x(), VALUES_Y, 0]
        )
        for part, (value, color) in values.items()
    }


def explanation(lines_of_text: list[str]) -> VGroup:
    width = theme.CONTENT_RIGHT - theme.CONTENT_LEFT
    rows = [row for p in lines_of_text for row in wrap(p, theme.SIZE.body, width)]
    block = lines(rows, theme.SIZE.body, theme.TEXT)
    return block.move_to([0, 0, 0]).align_to([0, EXPLAIN_TOP, 0], UP)


def per_token_result(m: Model) -> VGroup:
    per_token = m.kv_cache_bytes()
    result = text(
        f"= {fmt.integer(per_token)} bytes = {fmt.nbytes(per_token)} per token",
        theme.SIZE.heading,
        variant_color("GQA"),
    )
    return result.move_to([0, RESULT_Y, 0])


# ── the first slide ─────────────────────────────────────────────────────
def weights_read_note(m: Model) -> str:
    """Which weights a step reads: the input embedding is a lookup of one row per token,
    unless it is tied to the output head, which every step reads in full."""
    if m.tie_embeddings:
        return "all of them: the embedding is also the output head"
    return "all but the input embedding, a lookup"


def sharing(group_size: int) -> str:
    """The multiply-adds one cached K/V number serves: one per query head of its group."""
    return "one multiply-add" if group_size == 1 else f"{group_size} multiply-adds"


def decoding_reads(m: Model) -> VGroup:
    """The weights and the KV cache, each with an arrow into one decoding step."""
    per_token = m.kv_cache_bytes()
    read = m.weights_read_per_step
    weights = card(
        "Weights",
        [
            f"{fmt.integer(read)} weights × {m.dtype_bytes} bytes",
            f"= {fmt.nbytes(read * m.dtype_bytes)}, read for every token",
            weights_read_note(m),
        ],
        theme.WEIGHTS,
        theme.span(*READS_COLUMNS),
    )
    cache = card(
        "KV cache",
        [f"{fmt.nbytes(per_token)} for every token so far", "read in full for every token"],
        variant_color("GQA"),
        theme.span(*READS_COLUMNS),
    )
    step = card(
        "One decoding step",
        [
            "one multiply-add per weight",
            f"{sharing(m.group_size)} per cached number",
            f"appends {fmt.nbytes(per_token)} of K and V",
            "outputs one token",
        ],
        theme.ATTENTION,
        theme.span(*STEP_COLUMNS),
    )
    reads = VGroup(weights, cache).arrange(DOWN, buff=READS_GAP, aligned_edge=LEFT)
    reads.move_to([theme.columns(*READS_COLUMNS)[0], 0, 0], aligned_edge=LEFT)
    step.move_to([theme.columns(*STEP_COLUMNS)[0], 0, 0], aligned_edge=LEFT)
    arrows = VGroup(
        *(
            tag(
                Arrow(
                    source.get_right(),
                    step.get_left() + UP * ARROW_SPREAD * side,
                    buff=theme.GAP,
                    stroke_width=theme.STROKE,
                    color=theme.LINE,
                ),
                LINE,
            )
            for source, side in ((weights, 1), (cache, -1))
        )
    )
    picture = VGroup(reads, step, arrows)
    picture.move_to([0, (theme.BODY_TOP + theme.CONTENT_BOTTOM) / 2, 0], coor_mask=[0, 1, 0])
    return picture


class WhyGQA(DeckSlide):
    SECTION = "Why GQA: decoding is memory-bound"

    def construct(self) -> None:
        self.memory_bound()
        self.kv_formula()
        self.fill_layers()
        self.fill_kv_heads()
        self.fill_bytes()
        self.cache_vs_context()
        self.batch()
        self.step_reads()
        self.step_reads_batch()

    @classmethod
    def last_frame(cls, talk: Talk) -> VGroup:
        m = talk.model
        return VGroup(
            reads_title(m),
            reads_key(m),
            reads_panel(m, 1, READS_PANEL_TOPS[0]),
            reads_panel(m, chart_batch(m), READS_PANEL_TOPS[1]),
            reads_footnote(),
        )

    @classmethod
    def note_fields(cls, model: Model) -> dict[str, object]:
        batch = chart_batch(model)
        g = model.group_size
        return {
            "per_token": fmt.spoken_bytes(model.kv_cache_bytes()),
            "weights": fmt.spoken_bytes(model.weight_bytes()),
            "read": fmt.spoken(model.weights_read_per_step),
            "lookup": "" if model.tie_embeddings else ", all but the input embedding, a lookup",
            "per_cached": "one" if g == 1 else f"{g}",
            "sharing": "" if g == 1 else ", one per query head sharing it",
            "context": fmt.spoken_tokens(model.max_len),
            "batch": batch,
            "growth": growth_sentence(model),
            "crossing": crossing_sentence(model, batch),
            "crossing_one": crossing_sentence(model, 1),
            "tokens": fmt.spoken_tokens(model.max_len),  # said: 8K, not 8,192
            "weights_read": fmt.spoken_bytes(model.weights_read_per_step * model.dtype_bytes),
            "which_weights": (
                "all of them, as its tied input embedding is also the output head"
                if model.tie_embeddings
                else "all but the input embedding, which is only a lookup"
            ),
            "ratio_one": fmt.spoken(read_ratio(model, 1)),
            "ratio_batch": fmt.spoken(read_ratio(model, batch)),
            "saving_one": fmt.spoken(round(model.gqa_read_saving(model.max_len), 2)),
            "saving_batch": fmt.spoken(round(model.gqa_read_saving(model.max_len, batch), 2)),
        }

    def setup(self) -> None:
        super().setup()
        self.formula = Formula(FORMULA, theme.SIZE.heading).move_to([0, FORMULA_Y, 0])
        self.values = formula_values(self.model, self.formula)
        self.marks = VGroup()

    def fill(self, parts: tuple[str, ...], said: list[str], *also) -> None:
        """Show the values of `parts` under the formula, outline them, and explain."""
        f = self.formula
        # an overlay: it frames part of the formula, whose box as a whole it crosses
        marks = VGroup(
            *(
                outline(VGroup(f.select(p), self.values[p]), variant_color("GQA"), role=OVERLAY)
                for p in parts
            )
        )
        leaving = [fade_out(self.marks)] if self.marks.submobjects else []
        self.play(
            *leaving,
            *(fade_in(self.values[p], shift=DOWN * theme.NUDGE) for p in parts),
            Create(marks),
            run_time=theme.RUN,
        )
        self.marks = marks
        self.swap_side(explanation(said), *also)

    # ── beats ──────────────────────────────────────────────────────────
    @beat("""
        Decoding, one token at a time, is why GQA exists. Each step reads {read}
        weights{lookup}, and the KV cache: all earlier tokens' keys and values. That is
        one multiply-add per weight and {per_cached} per cached number{sharing}: too
        little arithmetic per byte for a GPU, so memory sets the speed. GQA's saving
        grows with batch times context.
    """)
    def memory_bound(self) -> None:
        picture = decoding_reads(self.model)
        reads, step, arrows = picture
        title = slide_title("Every new token reads everything")
        self.play(
            *self.leave_previous(),
            fade_in(title, shift=DOWN * theme.NUDGE),
            LaggedStart(*(fade_in(c, shift=RIGHT * theme.NUDGE) for c in reads), lag_ratio=0.4),
            run_time=theme.RUN,
        )
        self.play(Create(arrows), fade_in(step, shift=LEFT * theme.NUDGE), run_time=theme.RUN)

    @beat("""
        How big is the cache? Each token leaves a key and a value per KV head in every
        layer: 2 times layers times KV heads times head dimension times bytes.
    """)
    def kv_formula(self) -> None:
        title = slide_title("KV cache per token")
        self.play(
            *self.leave_content(),
            fade_in(title, shift=DOWN * theme.NUDGE),
            run_time=theme.RUN_FAST,
        )
        self.play(Write(self.formula), run_time=theme.RUN_WRITE)
        self.swap_side(
            explanation(["what one token leaves behind: its key and value vectors, in every layer"])
        )

    @beat("""
        The 2 is one key and one value. Each of the {m.n_layers} layers keeps its own.
    """)
    def fill_layers(self) -> None:
        m = self.model
        self.fill(("kv", "layers"), [f"a key and a value, in each of the {m.n_layers} layers"])

    @beat("""
        This is the factor GQA changes: only the {m.n_kv_heads} KV heads are stored.
        Multi-head attention, MHA, gives each of the {m.n_heads} query heads its own KV
        head; multi-query attention, MQA, shares one among all.
    """)
    def fill_kv_heads(self) -> None:
        m = self.model
        self.fill(
            ("heads",),
            [
                f"only the {m.n_kv_heads} shared KV heads are stored, "
                f"not the {m.n_heads} query heads",
                f"MHA would store {m.n_heads}, MQA 1",
            ],
        )

    @beat("""
        Each head holds {m.head_dim} numbers of {m.dtype_bytes} bytes. Every token adds
        {per_token} to the cache.
    """)
    def fill_bytes(self) -> None:
        m = self.model
        result = per_token_result(m)
        self.fill(
            ("dim", "bytes"),
            [f"{m.head_dim} numbers per head, {m.dtype_bytes} bytes each ({m.dtype})"],
            fade_in(result, shift=UP * theme.NUDGE),
        )
        self.side_content.append(result)

    @beat("""
        One sequence's cache against context, beside the weights (dashed, {weights}).
        {growth} GQA sits {m.group_size} times below MHA. {crossing_one} At {context}
        tokens MHA's step reads only {saving_one} times GQA's bytes: the weights
        dominate.
    """)
    def cache_vs_context(self) -> None:
        m = self.model
        chart = chart_frame(m)
        shown = chart_lines(chart, m, 1)
        self.play(
            *self.leave_content(),
            fade_in(chart_title(), shift=DOWN * theme.NUDGE),
            fade_in(chart),
            run_time=theme.RUN,
        )
        self.side_content = []
        self.play(
            Create(shown.weights),
            Create(shown.curves, lag_ratio=theme.LAG_PARTS),
            run_time=theme.RUN_BUILD,
        )
        self.play(fade_in(shown.labels), fade_in(shown.markers), run_time=theme.RUN_FAST)
        self.swap_side(chart_card(m, 1))
        self.chart, self.shown = chart, shown

    @beat("""
        A batch of {batch}: the weights are read once per step, each sequence its own
        cache, so every curve moves up {batch} times. {crossing} MHA's step now reads
        {saving_batch} times GQA's bytes.
    """)
    def batch(self) -> None:
        m = self.model
        batched = chart_lines(self.chart, m, chart_batch(m))
        self.play(
            *(
                ReplacementTransform(a, b)
                for a, b in zip(self.shown.curves, batched.curves, strict=True)
            ),
            fade_out(self.shown.labels),
            fade_out(self.shown.markers),
            run_time=theme.RUN,
        )
        self.play(fade_in(batched.labels), fade_in(batched.markers), run_time=theme.RUN_FAST)
        self.swap_side(chart_card(m, chart_batch(m)))

    @beat("""
        What does one decoding step actually read? First the weights of {m.title},
        {which_weights}: {weights_read}. Then each sequence's cache, here at {tokens} tokens.
        For one sequence the weights dominate, so MHA reads only {ratio_one} times what GQA
        reads.
    """)
    def step_reads(self) -> None:
        m = self.model
        panel = reads_panel(m, 1, READS_PANEL_TOPS[0])
        self.play(
            *self.leave_content(),
            fade_in(reads_title(m), shift=DOWN * theme.NUDGE),
            fade_in(reads_key(m)),
            fade_in(reads_footnote()),
            run_time=theme.RUN,
        )
        self.side_content = []
        self.grow(panel)

    @beat("""
        Now the serving batch of {batch}. The weights are still read once per step, but
        {batch} caches are read beside them, and MHA's now reads {ratio_batch} times what
        GQA's does. GQA's gain grows with batch times context: that is where it pays.
    """)
    def step_reads_batch(self) -> None:
        m = self.model
        self.grow(reads_panel(m, chart_batch(m), READS_PANEL_TOPS[1]))

    def grow(self, panel: ReadsPanel) -> None:
        """A panel's heading, then its bars growing from the left, then the ratio."""
        self.play(fade_in(panel.heading), run_time=theme.RUN_FAST)
        self.play(
            LaggedStart(
                *(GrowFromEdge(VGroup(*row[1:-1]), LEFT) for row in panel.rows),
                lag_ratio=theme.LAG_PARTS,
            ),
            *(fade_in(row[0]) for row in panel.rows),
            run_time=theme.RUN_ROWS,
        )
        self.play(
            *(fade_in(row[-1]) for row in panel.rows),
            fade_in(panel.ratio, shift=LEFT * theme.NUDGE),
            run_time=theme.RUN_FAST,
        )
