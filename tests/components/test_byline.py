"""The speaker's byline: only the fields a talk sets, on the title slide only with a speaker."""

from __future__ import annotations

import datetime

from deck.components.byline import byline_lines
from deck.content.model import get_preset
from deck.scenes.closing import questions_picture
from deck.scenes.opening import title_card
from deck.talk import Talk
from deck.testing.layout import collect

MODEL = get_preset("demo-1b")
DAY = datetime.date(2026, 1, 5)


def texts(mob) -> list[str]:
    return [i.text for i in collect([mob]) if i.role == "text"]


def test_only_the_fields_a_talk_sets_are_shown():
    assert byline_lines(Talk(MODEL)) == []
    assert byline_lines(Talk(MODEL, event="PyData Berlin")) == ["PyData Berlin"]
    assert byline_lines(Talk(MODEL, date=DAY)) == ["5 January 2026"]
    everything = Talk(MODEL, speaker="A. Speaker", affiliation="Lab", event="Conf", date=DAY)
    assert byline_lines(everything) == ["A. Speaker", "Lab", "Conf · 5 January 2026"]


def test_the_title_slide_shows_a_byline_only_when_the_talk_names_a_speaker():
    assert "Conf" not in texts(title_card(Talk(MODEL, event="Conf")))
    assert texts(title_card(Talk(MODEL, speaker="A. Speaker", event="Conf")))[-2:] == [
        "A. Speaker",
        "Conf",
    ]


def test_the_closing_slide_shows_whatever_the_talk_sets():
    assert texts(questions_picture(Talk(MODEL))) == ["Questions?", "Grouped-Query Attention"]
    assert texts(questions_picture(Talk(MODEL, event="Conf")))[-1] == "Conf"
