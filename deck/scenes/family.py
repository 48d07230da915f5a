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
from deck.components.group_patterns import MAX_SHOWN, GroupPatterns
from deck.components.heatmap import more_weight
from deck.components.highlight import outline
from deck.components.page import slide_title
from deck.components.spec import sit_on
from deck.components.text import stack, text
from deck.components.variants import variant_color
from deck.content.attention import GROUP_PATTERNS, group_example
from deck.content.model import Model
from deck.content.sources import GQA_FIGURE2, GQA_PAPER, MQA_INSTABILITY, MQA_PAPER
from deck.content.wrap import wrap
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
# How the notes say what each hand-built query head looks at.
SAID_PATTERNS = {
    "previous token": "the previous token",
    "first token": "the first token",
    "current token": "the current token",
    "even spread": "all tokens evenly",
}


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


def one_group(m: Model) -> VGroup:
    """The query heads of KV head 0's group, each with its own hand-built pattern over the
    group's shared keys and values (`deck.attention.group_example`)."""
    shown = min(m.group_size, MAX_SHOWN)
    example = group_example(patterns=GROUP_PATTERNS[:shown])
    return GroupPatterns(
        example.weights,
        [f"query head {h}" for h in range(shown)],
        example.patterns,
        example.tokens,
        f"KV head 0: a key and a value per token, for query heads 0–{m.group_size - 1}"
        if m.group_size > 1
        else "KV head 0: a key and a value per token, for query head 0",
        m.group_size,
        theme.BODY_TOP_SUBTITLED,  # under one_group_title's title and subtitle
    )


def one_group_title(m: Model) -> VGroup:
    heads = "query head" if m.group_size == 1 else "query heads"
    return slide_title(
        f"One group: {m.group_size} {heads}, one KV head",
        f"hand-built · rows: queries, columns: keys, {more_weight()}: more weight",
    )


class Family(DeckSlide):
    SECTION = "The family side by side"

    def construct(self) -> None:
        self.family()
        self.highlight_mha()
        self.highlight_mqa()
        self.highlight_gqa()
        self.one_group()

    @classmethod
    def last_frame(cls, talk: Talk) -> VGroup:
        m = talk.model
        return VGroup(one_group_title(m), one_group(m))

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
    @beat(
        """
        The family, drawn as in the GQA paper's Figure 2: each query head wired to the
        KV head it reads. GQA-G has G groups of query heads, one KV head each; the group
        size is the query heads per group. GQA-1 is MQA; GQA-{m.n_heads}, {m.n_heads}
        groups, is MHA.
    """,
        cites=(GQA_PAPER,),
    )
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
        MHA, the original transformer's: each of the {m.n_heads} query heads has its own KV
        head. The most to store: {mha_per_token} per token.
    """)
    def highlight_mha(self) -> None:
        m = self.model
        self.point_at(
            "MHA",
            caption(f"MHA: every query head has its own key and value head, {m.n_heads} of each"),
        )

    @beat(
        """
        MQA, Shazeer's 2019 proposal: all {m.n_heads} query heads share one KV head,
        {mqa_per_token} per token. The GQA paper reports lower quality, and instability
        in fine-tuning ({unstable.cited.where}).
    """,
        cites=(
            GQA_PAPER,
            MQA_PAPER,
        ),
    )
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
        GQA sits in between: {m.n_kv_heads} groups of {m.group_size} query heads, query
        head h reading KV head h divided by {m.group_size}, rounded down. Its cache is
        {m.group_size} times smaller than MHA's: {gqa_per_token} per token.
    """)
    def highlight_gqa(self) -> None:
        self.point_at("GQA", gqa_caption(self.model))

    @beat("""
        This is GQA in one picture: the query heads of one group, a hand-built example. Each
        head asks its own question of the same keys, so each gets its own pattern of weights,
        here on {patterns}. They all read the one shared key and value head, which is all the
        cache stores for them.
    """)
    def one_group(self) -> None:
        m = self.model
        picture = one_group(m)
        self.play(
            *self.leave_content(),
            fade_in(one_group_title(m), shift=DOWN * theme.NUDGE),
            fade_in(picture.kv, shift=UP * theme.NUDGE),
            run_time=theme.RUN,
        )
        self.side_content = []
        self.play(Create(picture.wires), run_time=theme.RUN_FAST)
        self.play(
            LaggedStart(
                *(
                    fade_in(VGroup(label, grid, name), shift=DOWN * theme.NUDGE)
                    for label, grid, name in zip(
                        picture.head_labels, picture.grids, picture.pattern_labels, strict=True
                    )
                ),
                lag_ratio=theme.LAG_PARTS,
            ),
            fade_in(picture.more),
            run_time=theme.RUN_BUILD,
        )
        self.group_picture = picture

    @classmethod
    def note_fields(cls, model: Model) -> dict[str, object]:
        fields: dict[str, object] = {
            "unstable": MQA_INSTABILITY,
            **{
                f"{name.lower()}_per_token": fmt.spoken_bytes(model.kv_cache_bytes(1, kv))
                for name, kv in model.attention_variants
            },
        }
        said = [SAID_PATTERNS[p] for p in GROUP_PATTERNS[: min(model.group_size, MAX_SHOWN)]]
        fields["patterns"] = said[0] if len(said) == 1 else f"{', '.join(said[:-1])} or {said[-1]}"
        return fields
