"""The title slide: the talk's title and the model's heads, grouped over the KV heads they share."""

from __future__ import annotations

from manim import UP, VGroup, Write

from deck import theme
from deck.components.byline import byline
from deck.components.heads import HeadGroups
from deck.components.text import centred, stack, text
from deck.scenes.base import DeckSlide, beat
from deck.scenes.motion import fade_in
from deck.talk import Talk

TITLE_HEADS_WIDTH = 6.0  # the picture of query heads grouped over KV heads
TITLE_GAP = 0.35
TITLE_GAP_MIN = 0.15  # the gaps a long title or byline may close to


def title_card(talk: Talk) -> VGroup:
    """Title, subtitle, the head counts and their picture, centred on the slide; the
    speaker's byline below them when the talk names a speaker."""
    m = talk.model
    subtitle = talk.subtitle or f"How {m.title} shares keys and values across query heads"
    parts = [
        centred(talk.title, theme.SIZE.title, theme.TITLE),
        centred(subtitle, theme.SIZE.body, theme.MUTED),
        text(
            f"{m.n_heads} query heads  ·  {m.n_kv_heads} KV heads  ·  "
            f"{m.group_size} query heads per KV head",
            theme.SIZE.body,
        ),
        HeadGroups(m, TITLE_HEADS_WIDTH),
    ]
    if talk.speaker:
        parts.append(byline(talk))
    # centred on the slide between the content lines; a long title or byline closes the gaps
    room = 2 * min(theme.CONTENT_TOP, -theme.CONTENT_BOTTOM)
    spare = room - sum(part.height for part in parts)
    gap = min(TITLE_GAP, max(TITLE_GAP_MIN, spare / (len(parts) - 1)))
    card = stack(*parts, buff=gap, align=UP * 0)
    return card.move_to([0, 0, 0])


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
