"""Section: decoding token by token. A prompt is prefilled, then each step appends one
token's keys and values to the cache: MHA's and GQA's caches side by side, with what
each holds in bytes."""

from __future__ import annotations

from dataclasses import dataclass

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    GrowFromEdge,
    LaggedStart,
    ReplacementTransform,
    VGroup,
)

from deck import format as fmt
from deck import theme
from deck.components.cache_columns import (
    MIN_UNIT,
    CacheColumns,
    cells_legend,
    heads_per_cell,
)
from deck.components.highlight import hug
from deck.components.log_bars import BarGroup, LogBar, LogBars
from deck.components.page import slide_title
from deck.components.text import stack, text
from deck.components.variants import variant_color
from deck.content.attention import HEATMAP_TOKENS
from deck.content.model import Model
from deck.content.wrap import wrap
from deck.scenes.base import DeckSlide, beat
from deck.scenes.motion import fade_in, fade_out
from deck.scenes.why_gqa import chart_batch
from deck.talk import Talk

# The heatmap's sentence: its first four tokens are the prompt, the others are generated
# one step at a time (three steps, one slide each).
TOKENS = HEATMAP_TOKENS
PROMPT = 4
# The two caches on the grid's halves: MHA's on columns 1 to 6, GQA's on 7 to 12.
PANELS = ((1, 6), (7, 12))
FLOOR = -3.05  # where the columns stand, their token labels under them
COLUMNS_TOP = 0.25  # the tallest column (MHA's) reaches this
# The cells' legend stands in the GQA panel's top right, over its shorter columns; when
# they too would reach it (a model without grouping), every column stops under it.
LEGEND_ROOM = 0.45  # the legend's line and the air under it
PANEL_TITLE_Y = 1.25  # under the slide's title and subtitle
COUNTER_Y = 0.75
# The newest column's outline hugs it (a column has no glyphs; the full gap would run
# into its neighbour) and stays inside the panel's edges.
COLUMN_MARK_GAP = 0.04
COLUMN_MARK_PAD = COLUMN_MARK_GAP + theme.STROKE_HIGHLIGHT * theme.STROKE_UNIT
# ── prefill against decode: FLOPs per byte ─────────────────────────────
INTENSITY_TOP = theme.BODY_TOP_SUBTITLED  # the first bar, under the title and subtitle
INTENSITY_AXIS = (-1.9, 5.2)  # the log axis, at least right of the names; room for values
INTENSITY_CAPTION_TOP = -2.85  # 0.4 under the axis's title


def panel_bounds() -> list[tuple[float, float]]:
    """(left, right) of the MHA and the GQA panel: their columns' room, the last column's
    outline included."""
    return [theme.columns(*cols) for cols in PANELS]


def compared(m: Model) -> list[tuple[str, int]]:
    """The two caches shown: multi-head and the model's own grouped-query attention."""
    return [(name, kv) for name, kv in m.attention_variants if name in ("MHA", "GQA")]


@dataclass
class Panel:
    """One cache: its title, its columns (all of them, shown a few at a time), its counter."""

    name: str
    n_kv_heads: int
    title: VGroup
    cache: CacheColumns
    left: float


def scale(m: Model) -> tuple[int, float]:
    """KV heads per drawn cell and a cell's pitch, one for both caches: MHA's column
    fills the height; with more heads than readable cells fit, a cell stands for several
    heads in both (their ratio stays true)."""

    def fitted(height: float) -> tuple[int, float]:
        per = heads_per_cell(m.n_heads, height)
        return per, max(height / -(-m.n_heads // per), MIN_UNIT)

    full = COLUMNS_TOP - FLOOR
    per, unit = fitted(full)
    if -(-m.n_kv_heads // per) * unit > full - LEGEND_ROOM:  # GQA's columns reach the legend
        per, unit = fitted(full - LEGEND_ROOM)
    return per, unit


def cells_per(m: Model) -> int:
    return scale(m)[0]


def panels(m: Model) -> list[Panel]:
    per, unit = scale(m)
    made = []
    for (name, kv), (left, right) in zip(compared(m), panel_bounds(), strict=True):
        heads = "head" if kv == 1 else "heads"
        title = text(
            f"{name} · {kv} KV {heads} · {fmt.nbytes(m.kv_cache_bytes(1, kv))} per token",
            theme.SIZE.label,
            variant_color(name),
        )
        title.move_to([left, PANEL_TITLE_Y, 0], aligned_edge=LEFT)
        pitch = (right - left - COLUMN_MARK_PAD) / len(TOKENS)
        cache = CacheColumns(TOKENS, kv, unit, pitch, left + COLUMN_MARK_PAD / 2, FLOOR, per)
        made.append(Panel(name, kv, title, cache, left))
    return made


def legend(m: Model) -> VGroup:
    """What the cells are, in the GQA panel's top right."""
    right = panel_bounds()[1][1] - COLUMN_MARK_PAD / 2
    return cells_legend(cells_per(m)).move_to([right, COLUMNS_TOP, 0], aligned_edge=UP + RIGHT)


def counter(m: Model, panel: Panel, tokens: int) -> VGroup:
    """What the cache holds after `tokens` tokens, computed by the model."""
    bytes_held = m.kv_cache_bytes(tokens, panel.n_kv_heads)
    mob = text(f"{tokens} tokens: {fmt.nbytes(bytes_held)}", theme.SIZE.subheading, theme.TEXT)
    return mob.move_to([panel.left, COUNTER_Y, 0], aligned_edge=LEFT)


def step_headline(m: Model, step: int) -> VGroup:
    """The headline of decoding step `step` (1, 2, ...)."""
    new = PROMPT + step - 1  # the index of the token this step takes in
    return slide_title(
        f"Decoding step {step}: “{TOKENS[new]}”",
        f"appends its K and V as token {new + 1}, then attention reads all {new + 1}",
    )


def column_marks(shown: list[Panel], index: int) -> VGroup:
    return VGroup(
        *(hug(p.cache.columns[index], theme.HIGHLIGHT, gap=COLUMN_MARK_GAP) for p in shown)
    )


def intensity_groups(m: Model) -> list[BarGroup]:
    """Decode for one sequence and for the chart's batch, and a prefill, at the full
    context: FLOPs per byte read for MHA and the model's GQA."""
    batch, tokens = chart_batch(m), m.max_len

    def bars(intensity) -> tuple[LogBar, ...]:
        return tuple(
            LogBar(name, variant_color(name), v := intensity(kv), fmt.rate(v))
            for name, kv in compared(m)
        )

    return [
        BarGroup(
            "decode, 1 sequence",
            "1 token per weight read",
            bars(lambda kv: m.decode_intensity(1, tokens, kv)),
        ),
        BarGroup(
            f"decode, batch of {batch}",
            f"{batch} tokens per weight read",
            bars(lambda kv: m.decode_intensity(batch, tokens, kv)),
        ),
        BarGroup(
            f"prefill, {tokens:,} tokens",
            f"{tokens:,} tokens per weight read",
            bars(lambda kv: m.prefill_intensity(tokens, kv)),
        ),
    ]


def intensity_chart(m: Model) -> LogBars:
    left, right = INTENSITY_AXIS
    chart = LogBars(
        intensity_groups(m),
        "FLOPs per byte read or written (log scale)",
        left=theme.CONTENT_LEFT,
        axis_left=left,
        axis_right=right,
        top=INTENSITY_TOP,
    )
    # the groups' names stand taller than their bars: their tops start the body
    return chart.shift(DOWN * max(0.0, chart.get_top()[1] - INTENSITY_TOP))


def intensity_title(m: Model) -> VGroup:
    return slide_title(
        "Prefill vs. decode",
        f"context {m.max_len:,} tokens; 2 FLOPs per weight per token; {m.dtype}",
    )


def intensity_caption() -> VGroup:
    """What the bars say, a line for decode and one for prefill, under the chart."""
    said = (
        "Decode: memory sets the pace, and GQA's smaller cache helps.",
        "Prefill: arithmetic sets the pace, and GQA changes little.",
    )
    width = theme.CONTENT_RIGHT - theme.CONTENT_LEFT
    rows = [
        text(r, theme.SIZE.label, theme.TEXT)
        for line in said
        for r in wrap(line, theme.SIZE.label, width)
    ]
    return stack(*rows, buff=0.1).align_to(
        [theme.CONTENT_LEFT, INTENSITY_CAPTION_TOP, 0], UP + LEFT
    )


class Decoding(DeckSlide):
    SECTION = "Decoding, token by token"

    def construct(self) -> None:
        self.prefill()
        self.step_1()
        self.step_2()
        self.step_3()
        self.prefill_vs_decode()

    @classmethod
    def last_frame(cls, talk: Talk) -> VGroup:
        m = talk.model
        return VGroup(intensity_title(m), intensity_chart(m), intensity_caption())

    @classmethod
    def note_fields(cls, model: Model) -> dict[str, object]:
        fields: dict[str, object] = {"prompt": PROMPT, "tokens": len(TOKENS)}
        per = cells_per(model)
        fields["cells"] = "one cell per KV head" if per == 1 else f"one cell per {per} KV heads"
        fields |= {
            "context": fmt.spoken_tokens(model.max_len),  # said: 8K, not 8,192
            "serving_batch": chart_batch(model),
            "decode_one": fmt.spoken(model.decode_intensity(1)),
            "decode_mha_batch": fmt.spoken(
                model.decode_intensity(chart_batch(model), n_kv_heads=model.n_heads)
            ),
            "decode_gqa_batch": fmt.spoken(model.decode_intensity(chart_batch(model))),
            "prefill": fmt.spoken(model.prefill_intensity()),
        }
        fields |= {f"token_{i + 1}": TOKENS[i] for i in range(len(TOKENS))}
        for name, kv in compared(model):
            key = name.lower()
            fields[f"{key}_per_token"] = fmt.spoken_bytes(model.kv_cache_bytes(1, kv))
            for n in range(PROMPT, len(TOKENS) + 1):
                fields[f"{key}_{n}"] = fmt.spoken_bytes(model.kv_cache_bytes(n, kv))
        return fields

    def setup(self) -> None:
        super().setup()
        self.panels = panels(self.model)
        self.legend = legend(self.model)
        self.counters: list[VGroup] = []
        self.marks = None
        self.head = None

    def show(self, title: VGroup, tokens: range, *also) -> None:
        """Swap the headline, add the columns of `tokens`, update the counters."""
        m = self.model
        counters = [counter(m, p, tokens.stop) for p in self.panels]
        columns = [p.cache.columns[i] for p in self.panels for i in tokens]
        labels = [p.cache.labels[i] for p in self.panels for i in tokens]
        swaps = [ReplacementTransform(a, b) for a, b in zip(self.counters, counters, strict=False)]
        leaving = [fade_out(self.head)] if self.head is not None else []
        self.play(
            *leaving,
            fade_in(title, shift=DOWN * theme.NUDGE),
            LaggedStart(
                *(fade_in(c, shift=UP * theme.NUDGE) for c in columns), lag_ratio=theme.LAG
            ),
            *(fade_in(lb) for lb in labels),
            *(swaps or [fade_in(c) for c in counters]),
            *also,
            run_time=theme.RUN,
        )
        self.counters, self.head = counters, title

    def step(self, step: int) -> None:
        index = PROMPT + step - 1
        marks = column_marks(self.panels, index)
        move = ReplacementTransform(self.marks, marks) if self.marks is not None else Create(marks)
        self.show(step_headline(self.model, step), range(index, index + 1), move)
        self.marks = marks

    # ── beats ──────────────────────────────────────────────────────────
    @beat("""
        Decoding starts with a prefill: the prompt's {prompt} tokens pass through at
        once, each leaving its key and value in every layer. One column per token, {cells}:
        MHA holds {mha_4}, GQA {gqa_4}.
    """)
    def prefill(self) -> None:
        m = self.model
        self.play(
            *self.leave_previous(),
            *(fade_in(p.title) for p in self.panels),
            fade_in(self.legend),
            run_time=theme.RUN_FAST,
        )
        self.show(
            slide_title(
                "Prefill: the prompt in one pass",
                f"{PROMPT} tokens at once, each leaves its K and V in all {m.n_layers} layers",
            ),
            range(PROMPT),
        )

    @beat("""
        Step one: “{token_5}”, the prefill's output, goes back in; its key and value add
        a column, {mha_per_token} with MHA and {gqa_per_token} with GQA. Attention then
        reads the whole cache.
    """)
    def step_1(self) -> None:
        self.step(1)

    @beat("""
        Step two, “{token_6}”: one more column, and again every column is read. The
        caches stay {m.group_size} times apart.
    """)
    def step_2(self) -> None:
        self.step(2)

    @beat("""
        Step three, “{token_7}”: {tokens} tokens. Real conversations run to thousands,
        and servers hold many: hence the chart's gigabytes.
    """)
    def step_3(self) -> None:
        self.step(3)

    @beat("""
        Prefill and decode are different work. A decoding step uses each weight for one token
        per sequence: {decode_one} FLOPs per byte it reads, so memory sets the pace. At a batch
        of {serving_batch} the weights are shared but the caches are not: MHA stays at
        {decode_mha_batch}, GQA reaches {decode_gqa_batch}. A prefill of {context} tokens does
        {prefill} FLOPs per byte: arithmetic sets the pace, and GQA gains little there.
    """)
    def prefill_vs_decode(self) -> None:
        m = self.model
        chart = intensity_chart(m)
        self.play(
            *self.leave_content(),
            fade_in(intensity_title(m), shift=DOWN * theme.NUDGE),
            fade_in(chart.axis),
            *(fade_in(n) for n in chart.names),
            run_time=theme.RUN,
        )
        bars = [b for row in chart.rows for b in row]
        self.play(
            LaggedStart(*(GrowFromEdge(b[1], LEFT) for b in bars), lag_ratio=theme.LAG_PARTS),
            *(fade_in(b[0]) for b in bars),
            run_time=theme.RUN_ROWS,
        )
        self.play(
            *(fade_in(b[2]) for b in bars),
            fade_in(intensity_caption(), shift=UP * theme.NUDGE),
            run_time=theme.RUN_FAST,
        )
