"""Section: MHA, GQA and MQA one above the other, with the model's head counts and each
query head wired to the key and value head it reads (the GQA paper's Figure 2)."""

from __future__ import annotations

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    Create,
    LaggedStart,
    ReplacementTransform,
    Transform,
    VGroup,
)

from deck import format as fmt
from deck import theme
from deck.components.family import Sharing, query_row
from deck.components.highlight import outline
from deck.components.page import slide_title
from deck.components.spec import sit_on
from deck.components.text import stack, text
from deck.components.variants import variant_color
from deck.components.wrap import wrap
from deck.content.model import Model
from deck.content.sources import GQA_FIGURE2, GQA_PAPER, MQA_PAPER
from deck.scenes.base import DeckSlide, beat
from deck.scenes.motion import fade_in
from deck.talk import Talk

LABEL_COLUMN = 3.5  # the variants' names and head counts, left of the wiring
ROW_GAP = 0.5  # from the query heads down to the key heads
LEGEND_GAP = 0.45  # between the legend's entries
NAMES_GAP = 0.3  # at least this between the widest name and the wiring
# A variant's outline lies this far out from its names and wiring: the bands are inset by
# it from the content's edges, so the outline too stays inside the safe area.
FOCUS_GAP = theme.HIGHLIGHT_GAP + 0.05
FOCUS_PAD = FOCUS_GAP + theme.STROKE_HIGHLIGHT * theme.STROKE_UNIT
BANDS_GAP = 0.25  # the bands' outlines keep this clear of the caption and of each other
DIM = 0.3  # the variants not pointed at fade to this share of their opacity
TITLE = "MHA, GQA and MQA"


def variant_title(m: Model, name: str, kv: int) -> str:
    """MHA = GQA-H, GQA-G, MQA = GQA-1: the paper's names for the three."""
    groups = f"GQA-{kv}"
    return groups if name == "GQA" else f"{name} = {groups}"


def names_block(m: Model, name: str, kv: int) -> VGroup:
    heads = "head" if kv == 1 else "heads"
    return stack(
        text(variant_title(m, name, kv), theme.SIZE.subheading, variant_color(name)),
        text(f"{kv} KV {heads}", theme.SIZE.label, theme.TEXT),
        text(f"{fmt.nbytes(m.kv_cache_bytes(1, kv))} per token", theme.SIZE.label, theme.MUTED),
        buff=0.12,
    )


def strip_left(m: Model) -> float:
    """Where the wiring starts: after the label column, or after the widest name (a
    model with 100 or more heads is "MHA = GQA-128"), inset by the outline's room."""
    widest = max(names_block(m, name, kv).width for name, kv in m.attention_variants)
    return theme.CONTENT_LEFT + FOCUS_PAD + max(LABEL_COLUMN, widest + NAMES_GAP)


def band(m: Model, name: str, kv: int) -> VGroup:
    """One variant: its names and counts on the left, its wiring on the right, inset from
    the content's edges by its outline's room."""
    left, right = theme.CONTENT_LEFT + FOCUS_PAD, theme.CONTENT_RIGHT - FOCUS_PAD
    start = strip_left(m)
    width = right - start
    # capped, every band draws as many slots as the model's own GQA row: the rows end
    # together, and each band's left end is the strip's
    own = query_row(m.n_heads, m.n_kv_heads, width)
    wiring = Sharing(m.n_heads, kv, width, ROW_GAP, slots=own.slots if own.capped else None)
    if wiring.row.capped:
        wiring.shift(RIGHT * (start - wiring.queries.get_left()[0]))
    else:
        wiring.move_to([(start + right) / 2, 0, 0], coor_mask=[1, 0, 0])
    names = names_block(m, name, kv)
    names.move_to([0, wiring.get_y(), 0]).align_to([left, 0, 0], LEFT)
    group = VGroup(names, wiring)
    group.names, group.wiring = names, wiring
    return group


def bands(m: Model) -> dict[str, VGroup]:
    """The three variants, spread evenly from under the title down to the caption's line."""
    made = {name: band(m, name, kv) for name, kv in m.attention_variants}
    top = theme.BODY_TOP - FOCUS_PAD
    bottom = caption_top() + BANDS_GAP + FOCUS_PAD
    gap = (top - bottom - sum(b.height for b in made.values())) / (len(made) - 1)
    for b in made.values():
        b.shift(UP * (top - b.get_top()[1]))
        top = b.get_bottom()[1] - gap
    return made


def legend(m: Model) -> VGroup:
    """What the colours are: on the title's baseline, at the content's right edge."""
    entries = VGroup(
        text(f"{m.n_heads} query heads", theme.SIZE.label, theme.Q),
        text("key heads", theme.SIZE.label, theme.K),
        text("value heads", theme.SIZE.label, theme.V),
    ).arrange(RIGHT, buff=LEGEND_GAP)
    for entry in entries:
        sit_on(entry, theme.TITLE_BASELINE)  # one baseline with the title's
    return entries.align_to([theme.CONTENT_RIGHT, 0, 0], RIGHT)


# The caption: one line of body text, a source line under it, on the content's bottom.
CAPTION_LINES_HEIGHT = 0.85


def caption_top() -> float:
    return theme.CONTENT_BOTTOM + CAPTION_LINES_HEIGHT


def caption(said: str, source: str = "") -> VGroup:
    """A line under the variants (a source line under it when the words are a paper's),
    its top on the caption's line whether or not the source is there."""
    width = theme.CONTENT_RIGHT - theme.CONTENT_LEFT
    rows = [text(row, theme.SIZE.body, theme.TEXT) for row in wrap(said, theme.SIZE.body, width)]
    first = rows[0]
    if source:
        rows.append(text(source, theme.SIZE.caption, theme.MUTED))
    block = stack(*rows, buff=0.12)
    return block.shift(
        [theme.CONTENT_LEFT - block.get_left()[0], caption_top() - first.get_top()[1], 0]
    )


def focus(b: VGroup, name: str) -> VGroup:
    return outline(b, variant_color(name), gap=FOCUS_GAP)


def dimmed(b: VGroup, share: float) -> VGroup:
    """A copy of band `b` with every part's opacity at `share` of what it was built with."""
    copy = b.copy()
    for part, original in zip(
        copy.family_members_with_points(), b.family_members_with_points(), strict=True
    ):
        part.set_fill(opacity=original.get_fill_opacity() * share)
        part.set_stroke(opacity=original.get_stroke_opacity() * share)
    return copy


def gqa_caption(m: Model) -> VGroup:
    return caption(
        f"GQA: {m.group_size} query heads per KV head, {m.group_size}× less cache than MHA"
    )


class Family(DeckSlide):
    SECTION = "The family side by side"
    CITES = (GQA_PAPER, MQA_PAPER)

    def construct(self) -> None:
        self.family()
        self.highlight_mha()
        self.highlight_mqa()
        self.highlight_gqa()

    @classmethod
    def last_frame(cls, talk: Talk) -> VGroup:
        m = talk.model
        drawn = bands(m)
        shown = [b if name == "GQA" else dimmed(b, DIM) for name, b in drawn.items()]
        return VGroup(
            slide_title(TITLE), legend(m), *shown, focus(drawn["GQA"], "GQA"), gqa_caption(m)
        )

    def setup(self) -> None:
        super().setup()
        self.bands = bands(self.model)
        self.built = {name: b.copy() for name, b in self.bands.items()}  # full opacity
        self.mark = None

    def point_at(self, name: str, said: VGroup) -> None:
        """Outline one variant, dim the others, and say what sets it apart."""
        new = focus(self.bands[name], name)
        move = ReplacementTransform(self.mark, new) if self.mark is not None else Create(new)
        shading = [
            Transform(b, self.built[other] if other == name else dimmed(self.built[other], DIM))
            for other, b in self.bands.items()
        ]
        self.swap_side(said, move, *shading)
        self.mark = new

    # ── beats ──────────────────────────────────────────────────────────
    @beat("""
        Three ways to share keys and values, drawn with {m.title}'s {m.n_heads} query heads, as
        in Figure 2 of the GQA paper by Ainslie et al. Each query head is wired to the key and
        value head it reads. Grouped-query attention with G groups, GQA-G, covers both ends:
        GQA-{m.n_heads} is multi-head attention and GQA-1 is multi-query attention.
    """)
    def family(self) -> None:
        m = self.model
        self.enter(slide_title(TITLE), legend(m))
        self.play(
            LaggedStart(
                *(fade_in(b, shift=DOWN * theme.NUDGE) for b in self.bands.values()),
                lag_ratio=theme.LAG_PARTS,
            ),
            run_time=theme.RUN_BUILD,
        )
        self.swap_side(
            caption(
                f"GQA-G: G groups, one KV head each; GQA-1 = MQA, GQA-{m.n_heads} = MHA",
                GQA_FIGURE2.source,
            )
        )

    @beat("""
        Multi-head attention, the original transformer's: every one of the {m.n_heads} query
        heads has its own key and value head. That is the most heads to store: {mha_per_token}
        of cache per token.
    """)
    def highlight_mha(self) -> None:
        m = self.model
        self.point_at(
            "MHA",
            caption(f"MHA: every query head has its own key and value head, {m.n_heads} of each"),
        )

    @beat("""
        Multi-query attention, Shazeer's 2019 proposal: all {m.n_heads} query heads read one
        single key and value head, so the cache shrinks {m.n_heads} times, to {mqa_per_token}
        per token. The GQA paper reports that it loses some quality and can train unstably.
    """)
    def highlight_mqa(self) -> None:
        m = self.model
        self.point_at(
            "MQA",
            caption(
                f"MQA: all {m.n_heads} query heads read one KV head: "
                f"{m.n_heads}× less cache than MHA"
            ),
        )

    @beat("""
        Grouped-query attention sits in between. {m.title} has {m.n_kv_heads} groups of
        {m.group_size} query heads, each group sharing one key and value head: query head h
        reads KV head h divided by {m.group_size}, rounded down. The cache is {m.group_size}
        times smaller than with MHA, {gqa_per_token} per token.
    """)
    def highlight_gqa(self) -> None:
        self.point_at("GQA", gqa_caption(self.model))

    @classmethod
    def note_fields(cls, model: Model) -> dict[str, object]:
        return {
            f"{name.lower()}_per_token": fmt.nbytes(model.kv_cache_bytes(1, kv))
            for name, kv in model.attention_variants
        }
