"""The talk's duration spread over the slides: reveal.js's pacing timer in the speaker view.

A slide gets time in proportion to the words of its notes (what the speaker will say
there), in whole seconds: reveal.js reads `data-timing` as an integer, and treats 0 as
"not set". Every slide gets at least one second; the seconds add up to the talk's length.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence

WORDS_PER_MINUTE = 130  # a speaker's pace for a talk's notes (issue 19: 2,000 words ≈ 15.5 min)


# Chinese and Japanese are written without spaces: their characters are counted instead,
# a word for every two (a talk in either runs at ≈ 250–300 characters a minute, about
# twice the words of WORDS_PER_MINUTE). Korean separates its words with spaces.
CHARACTERS_PER_WORD = 2
UNSPACED = ("CJK", "HIRAGANA", "KATAKANA")  # Unicode names' first word


def unspaced(char: str) -> bool:
    """Whether `char` belongs to a script written without spaces between words."""
    return unicodedata.name(char, "").startswith(UNSPACED)


def words(notes: str) -> int:
    """The words of `notes`: what is between spaces, and each two characters of a script
    written without them."""
    count = 0
    for token in notes.split():
        letters = sum(map(unspaced, token))
        count += math.ceil(letters / CHARACTERS_PER_WORD) + (letters < len(token))
    return count


def speaking_minutes(word_count: int) -> float:
    """How long `word_count` words of notes take to say, at `WORDS_PER_MINUTE`."""
    return word_count / WORDS_PER_MINUTE


def seconds_per_slide(notes: Sequence[str], minutes: float) -> list[int]:
    """Whole seconds for each slide, proportional to the words of its notes (a slide
    without notes counts as one word) and adding up to `minutes` (rounded to a second).

    Raises ValueError when the talk is shorter than one second per slide.
    """
    total = round(minutes * 60)
    if total < len(notes):
        raise ValueError(
            f"{minutes:g} minutes is less than one second for each of {len(notes)} slides"
        )
    weights = [max(words(n), 1) for n in notes]
    # one second each first, the rest by largest remainder (exact total, no slide at 0)
    spare = total - len(notes)
    shares = [spare * w / sum(weights) for w in weights]
    seconds = [1 + math.floor(s) for s in shares]
    by_remainder = sorted(range(len(notes)), key=lambda i: shares[i] - math.floor(shares[i]))
    missing = total - sum(seconds)
    for i in by_remainder[len(by_remainder) - missing :]:
        seconds[i] += 1
    return seconds


def spoken_seconds(notes: Sequence[str]) -> list[int]:
    """Whole seconds each slide's notes take to say at `WORDS_PER_MINUTE` (halves up, at
    least one): the rehearsal's plan when the talk has no length."""
    return [max(1, math.floor(speaking_minutes(words(n)) * 60 + 0.5)) for n in notes]
