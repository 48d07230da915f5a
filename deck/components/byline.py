"""Who gives the talk, where and when: the lines under the title and on the closing slide."""

from __future__ import annotations

from manim import UP, VGroup

from deck import format as fmt
from deck import theme
from deck.components.text import centred, stack
from deck.talk import Talk

BYLINE_GAP = 0.24  # 32 px between the name, the affiliation and the date: lines apart


def byline_lines(talk: Talk) -> list[str]:
    """The speaker, the affiliation, and "event · date": each line only if its fields are set."""
    when = fmt.day(talk.date) if talk.date is not None else ""
    where_when = " · ".join(part for part in (talk.event, when) if part)
    return [line for line in (talk.speaker, talk.affiliation, where_when) if line]


def byline(talk: Talk) -> VGroup:
    """The talk's byline, centred lines (the speaker's name the largest); empty when the
    talk names nobody, nowhere and no date."""
    lines = byline_lines(talk)
    if not lines:
        return VGroup()
    rows = []
    for i, line in enumerate(lines):
        speaker = i == 0 and bool(talk.speaker)
        size = theme.SIZE.subheading if speaker else theme.SIZE.body
        rows.append(centred(line, size, theme.TEXT if speaker else theme.MUTED))
    return stack(*rows, buff=BYLINE_GAP, align=UP * 0)
