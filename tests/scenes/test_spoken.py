"""The notes fit the slot and read as a speaker speaks: the default talk's notes take at
most 2,000 words (15.5 minutes at 130 words a minute, in a 20-minute slot with time for
questions), and no figure read aloud has more than three significant digits (the exact
figure is on screen)."""

from __future__ import annotations

import re

import pytest

from deck.content.model import DEFAULT_PRESET
from deck.scenes import SCENES
from tests.conftest import TALKS, talk_for

NOTES_BUDGET = 2_000  # words, the whole default talk
SPOKEN_DIGITS = 3
FIGURE = re.compile(r"(?<![\w.])\d(?:[\d,]*\d)?(?:\.\d+)?")
YEAR = re.compile(r"^(19|20)\d\d$")  # "Shazeer's 2019 proposal", "Ainslie et al. 2023"


def talk_notes(talk_id: str) -> list[tuple[str, str]]:
    model = talk_for(talk_id).model
    return [(b, s.notes_for(b, model)) for s in SCENES for b in s.beat_names()]


def significant_digits(figure: str) -> int:
    """2,048 → 4; 950 → 2; 47.2 → 3; 0.24 → 2; 1.5 → 2."""
    digits = figure.replace(",", "")
    whole, _, fraction = digits.partition(".")
    if fraction:
        return len((whole + fraction).lstrip("0"))
    return len(whole.strip("0")) or 1


def test_the_default_talk_fits_its_budget():
    said = sum(len(text.split()) for _, text in talk_notes(DEFAULT_PRESET))
    assert said <= NOTES_BUDGET, f"{said} words of notes; at most {NOTES_BUDGET}"


@pytest.mark.parametrize("preset", TALKS)
def test_no_note_reads_a_long_figure_aloud(preset):
    long = [
        f"{beat}: {figure}"
        for beat, text in talk_notes(preset)
        for figure in FIGURE.findall(text)
        if not YEAR.match(figure) and significant_digits(figure) > SPOKEN_DIGITS
    ]
    assert not long, f"figures to round as a speaker says them (format.spoken): {long}"


def test_significant_digits_count_as_a_speaker_reads():
    assert [significant_digits(f) for f in ("2,048", "950", "47.2", "0.24", "100")] == [
        4,
        2,
        3,
        2,
        1,
    ]
