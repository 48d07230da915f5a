"""The title slide: the talk's title and the model's heads, grouped over the KV heads they share."""

from __future__ import annotations

from manim import DOWN, UP, VGroup, Write

from deck import theme
from deck.components.byline import byline
from deck.components.heads import HeadGroups
from deck.components.text import centred, stack, text
from deck.scenes.base import DeckSlide, beat
from deck.scenes.motion import fade_in
from deck.talk import Talk

TITLE_HEADS_WIDTH = 6.0  # the picture of query heads grouped over KV heads
TITLE_GAP = 0.35
TITLE_GAP_MIN = 0.2  # the gaps a long title or byline may close to (27 px)
# Air between the slide counter and the title card's top (61 px at 1080p): a three-line
# title stays clear of the counter in the corner above it.
COUNTER_AIR = 0.45
CARD_TOP = theme.HEADER_BOTTOM - COUNTER_AIR


def title_card(talk: Talk) -> VGroup:
    """Title, subtitle, the head counts and their picture, the speaker's byline below them
    when the talk names a speaker: centred on the slide when they fit between the
    counter's air and the bottom margin, else as high as that air lets them. A long title
    or byline closes the gaps first; when even then they do not fit, the picture of the
    heads gives way (the counts above it still say what it shows), and then the title
    steps down to the heading size."""
    m = talk.model
    subtitle = talk.subtitle or f"How {m.title} shares keys and values across query heads"
    credit = [byline(talk)] if talk.speaker else []
    for size in (theme.SIZE.title, theme.SIZE.heading):
        words = [
            centred(talk.title, size, theme.TITLE),
            centred(subtitle, theme.SIZE.body, theme.MUTED),
            text(
                f"{m.n_heads} query heads  ·  {m.n_kv_heads} KV "
                f"head{'' if m.n_kv_heads == 1 else 's'}  ·  "
                f"{m.group_size} query heads per KV head",
                theme.SIZE.body,
            ),
        ]
        parts = [*words, HeadGroups(m, TITLE_HEADS_WIDTH), *credit]
        if not fits(parts):
            parts = [*words, *credit]
        if fits(parts):
            break
    room = CARD_TOP - theme.CONTENT_BOTTOM
    spare = room - sum(part.height for part in parts)
    gap = min(TITLE_GAP, max(TITLE_GAP_MIN, spare / (len(parts) - 1)))
    card = stack(*parts, buff=gap, align=UP * 0).move_to([0, 0, 0])
    if card.get_top()[1] > CARD_TOP:
        card.shift(DOWN * (card.get_top()[1] - CARD_TOP))
    return card


def fits(parts: list) -> bool:
    """Whether `parts`, stacked at the smallest gap, fit from the counter's air down."""
    height = sum(p.height for p in parts) + TITLE_GAP_MIN * (len(parts) - 1)
    return height <= CARD_TOP - theme.CONTENT_BOTTOM


class Opening(DeckSlide):
    SECTION = ""  # the title slide has no section header

    def construct(self) -> None:
        self.title()

    @classmethod
    def last_frame(cls, talk: Talk) -> VGroup:
        return title_card(talk)

    @beat("""
        Attention in one line: a token's query, Q, asks what it looks for; each key, K,
        says what a token offers; its value, V, is what it passes on. Grouped-query
        attention, GQA, lets a group of query heads share one key/value head, a KV head:
        here {m.n_heads} query heads share {m.n_kv_heads}.
    """)
    def title(self) -> None:
        heading, *rest = title_card(self.talk)
        self.play(Write(heading), run_time=theme.RUN_WRITE)
        self.play(*(fade_in(part, shift=UP * theme.NUDGE) for part in rest), run_time=theme.RUN)
