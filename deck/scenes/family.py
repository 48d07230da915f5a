"""Section: MHA, GQA and MQA one above the other, with the model's head counts and each
query head wired to the key and value head it reads (the GQA paper's Figure 2)."""

from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, Create, LaggedStart, ReplacementTransform, VGroup

from deck import format as fmt
from deck import theme
from deck.components.family import Sharing, query_row
from deck.components.highlight import outline
from deck.components.spec import sit_on
from deck.components.text import stack, text
from deck.components.variants import variant_color
from deck.components.wrap import wrap
from deck.content.model import Model
from deck.content.sources import GQA_FIGURE2, MQA_INSTABILITY
from deck.scenes.base import DeckSlide, beat
from deck.scenes.motion import fade_in
from deck.talk import Talk

LABEL_COLUMN = 3.5  # the variants' names and head counts, left of the wiring
NAMES_GAP = 0.3  # at least this between the widest name and the wiring
BAND_TOP = 2.35  # the first variant's query heads (below the legend)
BAND_PITCH = 1.7  # from one variant's query heads to the next one's
ROW_GAP = 0.6  # from the query heads down to the key heads
LEGEND_GAP = 0.4  # between the legend's entries (the last names the group size in full)
CAPTION_TOP = -2.8  # the caption under the three variants
OUTLINE_BUFF = 0.12


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
    model with 100 or more heads is "MHA = GQA-128")."""
    widest = max(names_block(m, name, kv).width for name, kv in m.attention_variants)
    return theme.CONTENT_LEFT + max(LABEL_COLUMN, widest + NAMES_GAP)


def band(m: Model, index: int, name: str, kv: int) -> VGroup:
    """One variant: its names and counts on the left, its wiring on the right."""
    top = BAND_TOP - index * BAND_PITCH
    left = strip_left(m)
    width = theme.CONTENT_RIGHT - left
    # capped, every band draws as many slots as the model's own GQA row: the rows end
    # together, and each band's left end is the strip's
    own = query_row(m.n_heads, m.n_kv_heads, width)
    wiring = Sharing(m.n_heads, kv, width, ROW_GAP, slots=own.slots if own.capped else None)
    if wiring.row.capped:
        wiring.shift(RIGHT * (left - wiring.queries.get_left()[0]))
    else:
        wiring.move_to([(left + theme.CONTENT_RIGHT) / 2, 0, 0], coor_mask=[1, 0, 0])
    wiring.shift(UP * (top - wiring.queries.get_top()[1]))
    names = names_block(m, name, kv)
    names.move_to([0, wiring.get_y(), 0]).align_to([theme.CONTENT_LEFT, 0, 0], LEFT)
    group = VGroup(names, wiring)
    group.names, group.wiring = names, wiring
    return group


def bands(m: Model) -> dict[str, VGroup]:
    return {name: band(m, i, name, kv) for i, (name, kv) in enumerate(m.attention_variants)}


def legend(m: Model) -> VGroup:
    entries = VGroup(
        text(f"{m.n_heads} query heads", theme.SIZE.label, theme.Q),
        text("key heads", theme.SIZE.label, theme.K),
        text("value heads", theme.SIZE.label, theme.V),
        text(
            "query head h → KV head h\u00a0//\u00a0group\u00a0size",
            theme.SIZE.label,
            theme.MUTED,
        ),
    ).arrange(RIGHT, buff=LEGEND_GAP)
    for entry in entries:
        sit_on(entry, 0)  # one baseline, whatever the letters' descenders
    return entries.align_to([theme.CONTENT_LEFT, theme.CONTENT_TOP, 0], UP + LEFT)


def caption(said: str, source: str = "") -> VGroup:
    """A line or two under the variants, with a source line when the words are a paper's."""
    width = theme.CONTENT_RIGHT - theme.CONTENT_LEFT
    rows = [text(row, theme.SIZE.body, theme.TEXT) for row in wrap(said, theme.SIZE.body, width)]
    if source:
        rows.append(text(source, theme.SIZE.caption, theme.MUTED))
    block = stack(*rows, buff=0.12)
    return block.align_to([theme.CONTENT_LEFT, CAPTION_TOP, 0], UP + LEFT)


def focus(b: VGroup, name: str) -> VGroup:
    return outline(b, variant_color(name), buff=OUTLINE_BUFF)


def gqa_caption(m: Model) -> VGroup:
    return caption(
        f"GQA: each group of {m.group_size} query heads shares one KV head; query head h "
        f"reads KV head h\u00a0//\u00a0{m.group_size}. The cache is {m.group_size}× smaller "
        "than MHA's."
    )


class Family(DeckSlide):
    SECTION = "The family side by side"

    def construct(self) -> None:
        self.family()
        self.highlight_mha()
        self.highlight_mqa()
        self.highlight_gqa()

    @classmethod
    def last_frame(cls, talk: Talk) -> VGroup:
        m = talk.model
        drawn = bands(m)
        return VGroup(legend(m), *drawn.values(), focus(drawn["GQA"], "GQA"), gqa_caption(m))

    def setup(self) -> None:
        super().setup()
        self.bands = bands(self.model)
        self.mark = None

    def point_at(self, name: str, said: VGroup) -> None:
        """Outline one variant and say what sets it apart."""
        new = focus(self.bands[name], name)
        move = ReplacementTransform(self.mark, new) if self.mark is not None else Create(new)
        self.swap_side(said, move)
        self.mark = new

    # ── beats ──────────────────────────────────────────────────────────
    @beat("""
        The family, drawn as in the GQA paper's Figure 2: each query head wired to the
        KV head it reads. GQA-G has G groups of query heads, one KV head each; the group
        size is the query heads per group. GQA-1 is MQA; GQA-{m.n_heads}, {m.n_heads}
        groups, is MHA.
    """)
    def family(self) -> None:
        m = self.model
        self.enter(legend(m))
        self.play(
            LaggedStart(
                *(fade_in(b, shift=DOWN * theme.NUDGE) for b in self.bands.values()),
                lag_ratio=theme.LAG_PARTS,
            ),
            run_time=theme.RUN_BUILD,
        )
        self.swap_side(
            caption(
                f"GQA-G: G groups, one KV head each. GQA-1 = MQA, GQA-{m.n_heads} = MHA.",
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
            caption(f"MHA: every query head has its own key and value head, {m.n_heads} of each."),
        )

    @beat("""
        MQA, Shazeer's 2019 proposal: all {m.n_heads} query heads share one KV head,
        {mqa_per_token} per token. The GQA paper reports lower quality, and instability
        in fine-tuning ({unstable.cited.where}).
    """)
    def highlight_mqa(self) -> None:
        m = self.model
        self.point_at(
            "MQA",
            caption(
                f"MQA: all {m.n_heads} query heads read one key and value head. "
                f"The cache is {m.n_heads}× smaller than MHA's."
            ),
        )

    @beat("""
        GQA sits in between: {m.n_kv_heads} groups of {m.group_size} query heads, query
        head h reading KV head h divided by {m.group_size}, rounded down. Its cache is
        {m.group_size} times smaller than MHA's: {gqa_per_token} per token.
    """)
    def highlight_gqa(self) -> None:
        self.point_at("GQA", gqa_caption(self.model))

    @classmethod
    def note_fields(cls, model: Model) -> dict[str, object]:
        return {
            "unstable": MQA_INSTABILITY,
            **{
                f"{name.lower()}_per_token": fmt.spoken_bytes(model.kv_cache_bytes(1, kv))
                for name, kv in model.attention_variants
            },
        }
