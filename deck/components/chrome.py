"""The persistent header: section title on the left, slide counter on the right."""

from __future__ import annotations

from manim import LEFT, RIGHT, Text

from deck import theme
from deck.components.text import text


def section_title(title: str) -> Text:
    mob = text(title, theme.SIZE.caption, theme.MUTED)
    return mob.move_to([0, theme.HEADER_Y, 0]).to_edge(LEFT, buff=theme.HEADER_INSET)


def slide_counter(number: int, total: int) -> Text:
    mob = text(f"{number} / {total}", theme.SIZE.caption, theme.MUTED)
    return mob.move_to([0, theme.HEADER_Y, 0]).to_edge(RIGHT, buff=theme.HEADER_INSET)
