"""Section: GQA's data flow, its three highlights, the KV cache and the spec card."""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    AnimationGroup,
    Create,
    GrowFromEdge,
    LaggedStart,
    VGroup,
)

from deck import format as fmt
from deck import theme
from deck.components.bars import Bar, bar_chart
from deck.components.callout import card, place_in_column
from deck.components.diagram import flow_diagram
from deck.components.heads import HeadGroups
from deck.components.highlight import outlines
from deck.components.page import body_top, slide_title
from deck.components.spec import table
from deck.components.variants import variant_color
from deck.content.model import Model
from deck.content.sources import ROFORMER
from deck.scenes.base import DeckSlide, beat
from deck.scenes.motion import fade_in
from deck.talk import Talk

BAR_WIDTH = 6.0  # the longest bar and its value end inside the content area
TITLE = "One attention layer"  # over the diagram's four slides


def spec_sheet(m: Model) -> tuple[VGroup, VGroup]:
    """The model specification: the slide's title and an aligned table under it."""
    heading = slide_title(f"{m.title}: model specification")
    spec = table(
        [
            ("Parameters", f"{fmt.integer(m.n_params)}  (≈ {fmt.billions(m.n_params)})"),
            ("", f"vocabulary {fmt.integer(m.vocab)}, {m.embeddings} embeddings"),
            ("Layers", f"{m.n_layers} × decoder block"),
            ("Hidden size", f"{m.hidden}"),
            (
                "Query / KV heads",
                f"{m.n_heads} / {m.n_kv_heads}  (GQA {fmt.ratio(m.n_heads, m.n_kv_heads)})",
            ),
            ("Head dim", f"{m.head_dim}"),
            ("FFN", f"{m.ffn}  (SwiGLU)"),
            ("Max length", f"{fmt.integer(m.max_len)} tokens"),
            ("Precision", m.dtype),
            ("KV cache", f"{fmt.nbytes(m.kv_cache_bytes())} per token"),
        ]
    )
    spec.move_to([theme.CONTENT_LEFT, body_top(heading), 0], aligned_edge=UP + LEFT)
    return heading, spec


class DataFlow(DeckSlide):
    SECTION = "GQA data flow"

    def construct(self) -> None:
        self.data_flow()
        self.rope()
        self.gqa_ratio()
        self.repeat_kv()
        self.kv_cache()
        self.spec_card()

    @classmethod
    def last_frame(cls, talk: Talk) -> VGroup:
        return VGroup(*spec_sheet(talk.model))

    # ── layout shared by the beats ─────────────────────────────────────
    def setup(self) -> None:
        super().setup()
        m = self.model
        self.title = slide_title(TITLE)
        self.diagram = flow_diagram(m, 0, theme.BODY_TOP)
        whole = self.diagram.group()
        # on the left edge, with room for the outlines of its nodes
        whole.shift(RIGHT * (theme.CONTENT_LEFT + theme.OUTLINE_ROOM - whole.get_left()[0]))
        # the cards take the columns right of the diagram, up to the right edge
        first = theme.first_column_after(whole.get_right()[0])
        self.panel_left, _ = theme.columns(first, theme.COLUMNS)
        self.panel_width = theme.span(first, theme.COLUMNS)

    def show_callout(self, new_card: VGroup, new_marks: VGroup) -> None:
        """Swap the previous callout and highlight for new ones, in one animation."""
        place_in_column(new_card, self.panel_left, theme.CONTENT_RIGHT, theme.BODY_TOP)
        drawing = [Create(new_marks)] if new_marks.submobjects else []
        self.swap_side(new_card, *drawing, along=new_marks)

    @classmethod
    def note_fields(cls, model: Model) -> dict[str, object]:
        return {
            "planes": model.head_dim // 2,  # RoPE turns pairs of components
            "context": fmt.spoken_tokens(model.max_len),
            "params": fmt.spoken(model.n_params),
            "vocab": fmt.spoken(model.vocab),
        }

    # ── beats ──────────────────────────────────────────────────────────
    @beat("""
        One attention layer: x is projected to Q with {m.n_heads} heads, to K and V with
        {m.n_kv_heads}; repeat_kv copies each K/V head for the {m.group_size} query
        heads of its group; attention runs per query head; the O projection maps back.
        The model stacks {m.n_layers} such layers.
    """)
    def data_flow(self) -> None:
        d = self.diagram
        # one cross-fade from the title: the screen is never empty mid-slide
        self.enter(self.title, d.x_in)
        rows = [d.projections, d.repeat, d.attention, d.out_proj]
        self.play(
            LaggedStart(
                *(fade_in(r, shift=DOWN * theme.NUDGE) for r in rows), lag_ratio=theme.LAG_PARTS
            ),
            Create(d.lines, lag_ratio=theme.LAG),
            run_time=theme.RUN_BUILD,
        )
        self.play(fade_in(d.x_out, shift=DOWN * theme.NUDGE), run_time=theme.RUN_FAST)
        m = self.model
        shapes = card(
            "Shapes",
            [
                f"Q: {m.n_heads} heads × {m.head_dim}",
                f"K, V: {m.n_kv_heads} heads × {m.head_dim}",
                f"one of {m.n_layers} layers",
            ],
            theme.ATTENTION,
            self.panel_width,
        )
        self.show_callout(shapes, VGroup())

    @beat(
        """
        RoPE, rotary position embedding, turns each query and key in {planes} planes,
        plane i by its position times an angle θᵢ; V is not turned. Their score then
        depends on the positions only through m minus n; it still depends on what the
        two vectors contain.
    """,
        cites=(ROFORMER,),
    )
    def rope(self) -> None:
        d = self.diagram
        c = card(
            "RoPE",
            [
                "rotary position embedding",
                "turns d/2 planes of Q, K by m·θᵢ",
                "V is not rotated",
                "positions enter q·k only as m\u00a0−\u00a0n",
            ],
            theme.ROPE,
            self.panel_width,
        )
        self.show_callout(c, outlines((d.q, d.k), theme.ROPE))

    @beat("""
        This is where GQA departs from MHA. The K and V projections produce
        {m.n_kv_heads} heads, not {m.n_heads}, one per group of {m.group_size} query
        heads.
    """)
    def gqa_ratio(self) -> None:
        m, d = self.model, self.diagram
        c = card(
            f"GQA {fmt.ratio(m.n_heads, m.n_kv_heads)}",
            [
                f"{m.n_heads} query heads",
                f"{m.n_kv_heads} key/value heads",
                f"KV cache −{fmt.percent(m.kv_cache_saving)} vs. MHA",
            ],
            theme.GQA,
            self.panel_width,
        )
        self.show_callout(c, outlines((d.k, d.v), theme.GQA))

    @beat("""
        repeat_kv broadcasts the {m.n_kv_heads} KV heads to the {m.n_heads} query heads:
        it adds no weights, and the cache holds only the {m.n_kv_heads} KV heads.
        Frameworks expand and reshape, a copy of K and V for all {m.n_heads} heads at
        compute time; fused kernels in the attention call index the shared head instead.
        GQA shrinks K and V; scores and weighted sums still run per query head.
    """)
    def repeat_kv(self) -> None:
        m, d = self.model, self.diagram
        heads = HeadGroups(m, self.panel_width - 0.8)
        c = card(
            "repeat_kv()",
            [
                f"broadcasts {m.n_kv_heads} → {m.n_heads} heads",
                f"query head h reads KV\u00a0head\u00a0⌊h\u00a0/\u00a0{m.group_size}⌋",
            ],
            theme.REPEAT,
            self.panel_width,
            heads,
        )
        self.show_callout(c, outlines((d.repeat,), theme.REPEAT))

    @beat("""
        At the full context, {context} tokens, MHA would keep {m.n_heads} KV heads per
        layer and MQA one. GQA keeps {m.n_kv_heads}: a cache {m.group_size} times
        smaller than MHA's, yet {m.n_kv_heads} times MQA's; on T5-XXL its quality stayed
        close to MHA's.
    """)
    def kv_cache(self) -> None:
        m = self.model
        variants = [(name, kv, variant_color(name)) for name, kv in m.attention_variants]
        chart = bar_chart(
            [
                Bar(
                    name,
                    f"{kv} KV {'head' if kv == 1 else 'heads'} · "
                    f"{fmt.nbytes(m.kv_cache_bytes(1, kv))} per token",
                    m.kv_cache_bytes(m.max_len, kv),
                    fmt.nbytes(m.kv_cache_bytes(m.max_len, kv)),
                    c,
                )
                for name, kv, c in variants
            ],
            bar_width=BAR_WIDTH,
        )
        titles = slide_title(
            f"KV cache at {fmt.integer(m.max_len)} tokens",
            f"keys and values of all {m.n_layers} layers, {m.dtype}",
        )
        chart.move_to([theme.CONTENT_LEFT, 0, 0], aligned_edge=LEFT)
        chart.set_y((body_top(titles) + theme.CONTENT_BOTTOM) / 2)
        self.play(
            *self.leave_content(),
            fade_in(titles, shift=DOWN * theme.NUDGE),
            run_time=theme.RUN_FAST,
        )
        self.play(
            LaggedStart(
                *(
                    AnimationGroup(fade_in(VGroup(name, note, value)), GrowFromEdge(bar, LEFT))
                    for name, note, bar, value in chart.rows
                ),
                lag_ratio=theme.LAG_PARTS,
            ),
            run_time=theme.RUN_ROWS,
        )

    @beat("""
        The whole model on one card: {params} parameters. The count is exact for a
        vocabulary of {vocab} and {m.embeddings} embeddings.
    """)
    def spec_card(self) -> None:
        heading, spec = spec_sheet(self.model)
        self.play(
            *self.leave_content(),
            fade_in(heading, shift=DOWN * theme.NUDGE),
            run_time=theme.RUN_FAST,
        )
        self.play(
            LaggedStart(
                *(fade_in(row, shift=RIGHT * theme.NUDGE) for row in spec.rows), lag_ratio=theme.LAG
            ),
            run_time=theme.RUN_ROWS,
        )
