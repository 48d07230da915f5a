"""Section: a hand-built attention head's weights, the causal mask, the previous-token pattern."""

from __future__ import annotations

from manim import LEFT, UP, Create, LaggedStart, VGroup

from deck import theme
from deck.components.callout import card
from deck.components.heatmap import Heatmap, legend
from deck.components.highlight import outlines
from deck.content.attention import HeatmapExample, previous_token_head
from deck.content.model import Model
from deck.scenes.base import DeckSlide, beat
from deck.scenes.motion import fade_in, fade_out
from deck.talk import Talk

LEGEND_GAP = 0.45
CARD_GAP = 0.5
CELL_GROW_FROM = 0.7  # cells grow in from this fraction of their size
CELL_LAG = 0.03  # 49 cells in one staggered animation: each starts 3 % after the last
VALUE_MARK_BUFF = 0.03  # the highlight hugs its cell, leaving the neighbours visible


def heatmap_layout(m: Model) -> tuple[HeatmapExample, Heatmap, VGroup, float]:
    """The example head, its heatmap and legend placed, and the card column's left edge."""
    example = previous_token_head(head_dim=m.head_dim, rope_base=m.rope_base)
    heatmap = Heatmap(example.tokens, example.weights)
    heatmap.to_edge(LEFT, buff=theme.MARGIN).align_to([0, theme.CONTENT_TOP - 0.1, 0], UP)
    grid = heatmap.grid
    key = legend(grid.height).next_to(grid, direction=[1, 0, 0], buff=LEGEND_GAP)
    key.align_to(grid, [0, -1, 0])
    return example, heatmap, key, key.get_right()[0] + CARD_GAP


def place_card(new: VGroup, left: float, heatmap: Heatmap) -> VGroup:
    return new.move_to([left + new.width / 2, 0, 0]).align_to(heatmap.grid, UP)


def previous_token_parts(
    example: HeatmapExample, hm: Heatmap, card_width: float
) -> tuple[VGroup, VGroup, VGroup]:
    """The previous-token slide's card, the outlines of its cells and their weights."""
    w = example.weights
    n = len(example.tokens)
    pairs = [(i, i - 1) for i in range(1, n)]
    marks = outlines((hm.cell(i, j) for i, j in pairs), buff=VALUE_MARK_BUFF)
    values = VGroup(*(hm.value_label(i, j) for i, j in pairs))
    shown = [float(w[i, j]) for i, j in pairs]
    c = card(
        "Previous-token head",
        [
            "each token attends most to the token before it",
            f"weights {min(shown):.2f} to {max(shown):.2f}",
            "made with RoPE: each query is its key turned back one position",
        ],
        theme.HIGHLIGHT,
        card_width,
    )
    return c, marks, values


class AttentionWeights(DeckSlide):
    SECTION = "Attention weights"

    def construct(self) -> None:
        self.weights()
        self.causal_mask()
        self.previous_token()

    @classmethod
    def last_frame(cls, talk: Talk) -> VGroup:
        example, heatmap, key, card_left = heatmap_layout(talk.model)
        c, marks, values = previous_token_parts(example, heatmap, theme.CONTENT_RIGHT - card_left)
        return VGroup(heatmap, key, place_card(c, card_left, heatmap), marks, values)

    def setup(self) -> None:
        super().setup()
        self.example, self.heatmap, self.legend, self.card_left = heatmap_layout(self.model)
        self.card_width = theme.CONTENT_RIGHT - self.card_left

    def place_card(self, new: VGroup) -> VGroup:
        return place_card(new, self.card_left, self.heatmap)

    def swap_card(self, new: VGroup, *also) -> None:
        self.swap_side(self.place_card(new), *also)

    @beat("""
        One head's weights on "<bos> The cat sat on the mat", hand-built, not taken from
        a trained model: constructed vectors, softmax computed by numpy. Rows are query
        tokens, columns key tokens.
    """)
    def weights(self) -> None:
        hm = self.heatmap
        c = card(
            "A hand-built head",
            [
                "constructed vectors, not a trained model",
                "rows: queries",
                "columns: keys",
                "softmax weights: each row sums to 1",
            ],
            theme.ATTENTION,
            self.card_width,
        )
        self.play(
            *self.leave_previous(),
            fade_in(hm.row_labels),
            fade_in(hm.col_labels),
            fade_in(hm.keys_title),
            fade_in(hm.queries_title),
            run_time=theme.RUN_FAST,
        )
        self.play(
            LaggedStart(
                *(fade_in(cell, scale=CELL_GROW_FROM) for cell in hm.grid), lag_ratio=CELL_LAG
            ),
            fade_in(self.legend),
            run_time=theme.RUN_BUILD,
        )
        self.swap_card(c)

    @beat("""
        The causal mask: a query sees only its own and earlier positions. Cells right of
        the diagonal get minus infinity before the softmax, so weight zero.
    """)
    def causal_mask(self) -> None:
        self.mask = self.heatmap.masked_cells(theme.MASK)
        c = card(
            "Causal mask",
            ["key after query (j > i): score −∞ before softmax, so weight exactly 0"],
            theme.MASK,
            self.card_width,
        )
        self.swap_card(c, LaggedStart(*(fade_in(c) for c in self.mask), lag_ratio=CELL_LAG))

    @beat("""
        The highlighted cells are each token attending to the one before: a
        previous-token head. We built it with RoPE, each query its key's vector turned
        back one position, so the score peaks where m minus n is 1, at every position.
    """)
    def previous_token(self) -> None:
        c, marks, values = previous_token_parts(self.example, self.heatmap, self.card_width)
        self.play(fade_out(self.mask), run_time=theme.RUN_FAST)
        self.swap_card(
            c,
            LaggedStart(*(Create(mk) for mk in marks), lag_ratio=theme.LAG_PARTS),
            fade_in(values),
        )
