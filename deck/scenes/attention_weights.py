"""Section: a hand-built attention head's weights, the causal mask, the previous-token pattern."""

from __future__ import annotations

from manim import DOWN, LEFT, UP, Create, LaggedStart, VGroup

from deck import theme
from deck.components.callout import card
from deck.components.heatmap import HeadMaps, Heatmap, legend, mask_key
from deck.components.highlight import outline
from deck.components.page import slide_title
from deck.components.text import text
from deck.content.attention import HeatmapExample, previous_token_head
from deck.content.head_room import HEADLINE_ROOM, SLIDE_HEIGHT, SLIDE_WIDTH
from deck.content.model import Model
from deck.content.realattention import RealAttention
from deck.content.sources import INDUCTION_HEADS, ROFORMER
from deck.scenes.base import DeckSlide, beat
from deck.scenes.motion import fade_in, fade_out
from deck.talk import Talk

LEGEND_GAP = 0.25
TITLE = "Attention weights of one head"  # over the section's three slides
CELL_GROW_FROM = 0.7  # cells grow in from this fraction of their size
CELL_LAG = 0.03  # 49 cells in one staggered animation: each starts 3 % after the last
VALUE_MARK_GAP = 0.045  # the highlight hugs its cell, leaving the neighbours visible
# The outlines of two diagonal neighbours reach past the cells' gap into each other's
# corner (0.07 each side of a 0.06 gap, plus half the stroke); rounding each by this
# much leaves a clear space between them where square corners overlapped.
MARK_CORNER = 0.25  # 5 px clear at 1080p (tests/components/test_highlight.py)
REAL_LEGEND_GAP = 0.35  # the colour bar beside the last map of the real heads


def real_headline(real: RealAttention) -> str:
    return f"Real weights of {real.model_title}, layer {real.layer}, KV head {real.group}"


def real_heads_layout(real: RealAttention) -> VGroup:
    """The real heads of one KV group: the headline naming the shared K/V, the maps side
    by side and their legend, placed under the section title."""
    first, last = real.heads[0], real.heads[-1]
    headline = text(real_headline(real), theme.SIZE.label)
    headline.move_to([theme.CONTENT_LEFT, theme.BODY_TOP, 0], aligned_edge=UP + LEFT)
    maps = HeadMaps(real.labels, real.weights, real.heads, SLIDE_WIDTH, SLIDE_HEIGHT)
    maps.next_to(headline, [0, -1, 0], buff=HEADLINE_ROOM - headline.height)
    maps.align_to([theme.CONTENT_LEFT, 0, 0], LEFT)
    first_map = maps.maps[0]
    key = legend(first_map.height).next_to(maps.grid, [1, 0, 0], buff=REAL_LEGEND_GAP)
    key.align_to(first_map, [0, -1, 0])
    shared = text(
        f"query heads {first}–{last} read one shared K/V: KV head {real.group}",
        theme.SIZE.detail,
        theme.K,
    )
    shared.next_to(maps, [0, -1, 0], buff=theme.GAP).align_to(maps.grid, LEFT)
    return VGroup(headline, maps, key, shared)


REAL_NOTES = """
    These are real weights of {title}, layer {layer}, KV head {group}, computed by the deck's
    numpy forward pass from the model's own checkpoint on the text "{text}", split into tokens
    by its tokenizer. The {size} query heads {first} to {last} all read the same shared keys
    and values, those of KV head {group}, and each still computes its own weights from its own
    queries. Each row is a query token, each column a key token, and every row sums to 1.
    {chosen}
"""


def real_notes(real: RealAttention, text_given: str, layer_chosen: bool) -> str:
    chosen = (
        "The talk file chose this layer."
        if layer_chosen
        else "This is the middle layer, the deck's default; the talk file can choose another."
    )
    filled = REAL_NOTES.format(
        title=real.model_title,
        layer=real.layer,
        group=real.group,
        text=text_given,
        size=len(real.heads),
        first=real.heads[0],
        last=real.heads[-1],
        chosen=chosen,
    )
    return " ".join(filled.split())


def heatmap_layout(m: Model) -> tuple[HeatmapExample, Heatmap, VGroup, float]:
    """The example head, its heatmap and legend placed, and the card column's left edge."""
    example = previous_token_head(head_dim=m.head_dim, rope_base=m.rope_base)
    heatmap = Heatmap(example.tokens, example.weights)
    heatmap.move_to([theme.CONTENT_LEFT, theme.BODY_TOP, 0], aligned_edge=UP + LEFT)
    grid = heatmap.grid
    key = legend(grid.height).next_to(grid, direction=[1, 0, 0], buff=LEGEND_GAP)
    key.align_to(grid, [0, -1, 0])
    card_left, _ = theme.columns(theme.first_column_after(key.get_right()[0]), theme.COLUMNS)
    return example, heatmap, key, card_left


def place_card(new: VGroup, left: float, heatmap: Heatmap) -> VGroup:
    return new.move_to([left + new.width / 2, 0, 0]).align_to(heatmap.grid, UP)


def previous_token_parts(
    example: HeatmapExample, hm: Heatmap, card_width: float
) -> tuple[VGroup, VGroup, VGroup]:
    """The previous-token slide's card, the outlines of its cells and their weights."""
    n = len(example.tokens)
    pairs = [(i, i - 1) for i in range(1, n)]
    values = VGroup(*(hm.value_label(i, j) for i, j in pairs))
    shown = [float(example.weights[i, j]) for i, j in pairs]
    # the number on the cell keeps the full gap; the outline hugs the cell itself
    marks = VGroup(
        *(
            outline(hm.cell(i, j), gap=VALUE_MARK_GAP, glyphs=value, corner_radius=MARK_CORNER)
            for (i, j), value in zip(pairs, values, strict=True)
        )
    )
    c = card(
        "Previous-token head",
        [
            "each token attends most to the one before",
            f"weights {min(shown):.2f} to {max(shown):.2f}",
            "RoPE: each query is its key turned back one position",
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
        return VGroup(
            slide_title(TITLE), heatmap, key, place_card(c, card_left, heatmap), marks, values
        )

    def setup(self) -> None:
        super().setup()
        self.example, self.heatmap, self.legend, self.card_left = heatmap_layout(self.model)
        self.card_width = theme.CONTENT_RIGHT - self.card_left

    def place_card(self, new: VGroup) -> VGroup:
        return place_card(new, self.card_left, self.heatmap)

    def swap_card(self, new: VGroup, *also) -> None:
        self.swap_side(self.place_card(new), *also)

    def open_slide(self, method, notes: str, loop: bool) -> None:
        real = self.talk.attention
        if method.__name__ == "weights" and real is not None:
            chosen = self.talk.attention_layer is not None
            notes = real_notes(real, self.talk.attention_text, chosen)
        super().open_slide(method, notes, loop)

    @beat("""
        One head's weights on "<bos> The cat sat on the mat", hand-built, not taken from
        a trained model: constructed vectors, softmax computed by numpy. Rows are query
        tokens, columns key tokens.
    """)
    def weights(self) -> None:
        if self.talk.attention is not None:
            self.real_heads = real_heads_layout(self.talk.attention)
            self.play(
                *self.leave_previous(),
                fade_in(slide_title(TITLE)),  # the section's title, kept over its slides
                fade_in(self.real_heads),
                run_time=theme.RUN_BUILD,
            )
            return
        hm = self.heatmap
        c = card(
            "A hand-built head",
            [
                "constructed vectors, not a trained model",
                "each query's row of softmax weights sums to 1",
            ],
            theme.ATTENTION,
            self.card_width,
        )
        self.play(
            *self.leave_previous(),
            fade_in(slide_title(TITLE), shift=DOWN * theme.NUDGE),
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
        if self.talk.attention is not None:  # the hand-built head takes the real heads' place
            hm = self.heatmap
            self.play(
                fade_out(self.real_heads),
                *(fade_in(part) for part in (hm.row_labels, hm.col_labels, hm.keys_title)),
                fade_in(hm.queries_title),
                fade_in(hm.grid),
                fade_in(self.legend),
                run_time=theme.RUN_FAST,
            )
        # the mask's legend entry sits in the card column, level with the colour bar's 0
        key = mask_key(theme.MASK).move_to([self.card_left, 0, 0], aligned_edge=LEFT)
        self.mask = VGroup(
            *self.heatmap.masked_cells(theme.MASK), key.align_to(self.legend[1], DOWN)
        )
        lines = ["key after query (j > i): score −∞ before softmax, so weight exactly 0"]
        if self.talk.attention is not None:  # after the real heads: say whose weights these are
            lines.append("shown on the hand-built head")
        c = card("Causal mask", lines, theme.MASK, self.card_width)
        self.swap_card(c, LaggedStart(*(fade_in(c) for c in self.mask), lag_ratio=CELL_LAG))

    @beat(
        """
        The highlighted cells are each token attending to the one before: a
        previous-token head, a pattern Olsson and colleagues found in trained models. We built
        it with RoPE, each query its key's vector turned back one position, so the score peaks
        where m minus n is 1, at every position.
    """,
        cites=(
            ROFORMER,
            INDUCTION_HEADS,
        ),
    )
    def previous_token(self) -> None:
        c, marks, values = previous_token_parts(self.example, self.heatmap, self.card_width)
        self.play(fade_out(self.mask), run_time=theme.RUN_FAST)
        self.swap_card(
            c,
            LaggedStart(*(Create(mk) for mk in marks), lag_ratio=theme.LAG_PARTS),
            fade_in(values),
        )
