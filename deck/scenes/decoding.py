"""Section: decoding token by token. A prompt is prefilled, then each step appends one
token's keys and values to the cache: MHA's and GQA's caches side by side, with what
each holds in bytes."""

from __future__ import annotations

from dataclasses import dataclass

from manim import DOWN, LEFT, UP, Create, LaggedStart, ReplacementTransform, VGroup

from deck import format as fmt
from deck import theme
from deck.components.cache_columns import MIN_UNIT, CacheColumns
from deck.components.highlight import outline
from deck.components.text import text
from deck.components.variants import variant_color
from deck.content.attention import HEATMAP_TOKENS
from deck.content.model import Model
from deck.scenes.base import DeckSlide, beat
from deck.scenes.motion import fade_in, fade_out
from deck.talk import Talk

# The heatmap's sentence: its first four tokens are the prompt, the others are generated
# one step at a time (three steps, one slide each).
TOKENS = HEATMAP_TOKENS
PROMPT = 4
PANEL_GAP = 0.8  # between the MHA and the GQA cache
FLOOR = -2.75  # where the columns stand
COLUMNS_TOP = 0.45  # the tallest column (MHA's) reaches this
PANEL_TITLE_Y = 1.5
COUNTER_Y = 0.95
SUBTITLE_GAP = 0.2
COLUMN_MARK_BUFF = 0.06


def panel_bounds() -> list[tuple[float, float]]:
    """(left, right) of the MHA and the GQA panel."""
    return [(theme.CONTENT_LEFT, -PANEL_GAP / 2), (PANEL_GAP / 2, theme.CONTENT_RIGHT)]


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


def panels(m: Model) -> list[Panel]:
    # one scale for both caches: MHA's column fills the height, unless its cells would
    # be too small to read; then it stops at the height, capped with its count
    unit = max((COLUMNS_TOP - FLOOR) / m.n_heads, MIN_UNIT)
    cap = int((COLUMNS_TOP - FLOOR) / unit + 1e-9)
    made = []
    for (name, kv), (left, right) in zip(compared(m), panel_bounds(), strict=True):
        heads = "head" if kv == 1 else "heads"
        title = text(
            f"{name} · {kv} KV {heads} · {fmt.nbytes(m.kv_cache_bytes(1, kv))} per token",
            theme.SIZE.label,
            variant_color(name),
        )
        title.move_to([left, PANEL_TITLE_Y, 0], aligned_edge=LEFT)
        pitch = (right - left) / len(TOKENS)
        cache = CacheColumns(TOKENS, kv, unit, pitch, left, FLOOR, cap)
        made.append(Panel(name, kv, title, cache, left))
    return made


def counter(m: Model, panel: Panel, tokens: int) -> VGroup:
    """What the cache holds after `tokens` tokens, computed by the model."""
    bytes_held = m.kv_cache_bytes(tokens, panel.n_kv_heads)
    mob = text(f"{tokens} tokens: {fmt.nbytes(bytes_held)}", theme.SIZE.subheading, theme.TEXT)
    return mob.move_to([panel.left, COUNTER_Y, 0], aligned_edge=LEFT)


def headline(title: str, subtitle: str) -> VGroup:
    heading = text(title, theme.SIZE.heading, theme.TITLE)
    heading.align_to([theme.CONTENT_LEFT, theme.CONTENT_TOP, 0], UP + LEFT)
    below = text(subtitle, theme.SIZE.body, theme.MUTED)
    below.next_to(heading, DOWN, buff=SUBTITLE_GAP, aligned_edge=LEFT)
    return VGroup(heading, below)


def step_headline(m: Model, step: int) -> VGroup:
    """The headline of decoding step `step` (1, 2, ...)."""
    new = PROMPT + step - 1  # the index of the token this step takes in
    return headline(
        f"Decoding step {step}: “{TOKENS[new]}”",
        f"appends its K and V as token {new + 1}, then attention reads all {new + 1}",
    )


def column_marks(shown: list[Panel], index: int) -> VGroup:
    return VGroup(
        *(outline(p.cache.columns[index], theme.HIGHLIGHT, buff=COLUMN_MARK_BUFF) for p in shown)
    )


class Decoding(DeckSlide):
    SECTION = "Decoding, token by token"

    def construct(self) -> None:
        self.prefill()
        self.step_1()
        self.step_2()
        self.step_3()

    @classmethod
    def last_frame(cls, talk: Talk) -> VGroup:
        m = talk.model
        shown = panels(m)
        last = len(TOKENS)
        return VGroup(
            step_headline(m, last - PROMPT),
            *(VGroup(p.title, p.cache, counter(m, p, last)) for p in shown),
            column_marks(shown, last - 1),
        )

    @classmethod
    def note_fields(cls, model: Model) -> dict[str, object]:
        fields: dict[str, object] = {"prompt": PROMPT, "tokens": len(TOKENS)}
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
        once, each leaving its key and value in every layer. One column per token, one
        cell per KV head: MHA holds {mha_4}, GQA {gqa_4}.
    """)
    def prefill(self) -> None:
        m = self.model
        self.play(
            *self.leave_previous(),
            *(fade_in(p.title) for p in self.panels),
            run_time=theme.RUN_FAST,
        )
        self.show(
            headline(
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
