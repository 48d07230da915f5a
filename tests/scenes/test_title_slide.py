"""The title slide keeps air around a long title and byline: clear of the slide counter,
its byline's lines apart, everything inside the safe area."""

from __future__ import annotations

import dataclasses
import itertools

import pytest

from deck import theme
from deck.components.byline import BYLINE_GAP, byline_lines
from deck.content.wrap import wrap
from deck.scenes.opening import COUNTER_AIR
from tests.conftest import SPEAKER_TALK, constructed_for, talk_for

# The longest strings a talk file plausibly holds: a title of three lines at the title
# size (a conference talk's title with its subtitle folded in), a subtitle of two, and a
# real institution's full name (a long affiliation line).
LONG = {
    "title": "Grouped-Query Attention in Qwen3: from the paper's mean-pooling to the KV cache",
    "subtitle": "How one key and value head per group of query heads shrinks the cache "
    "that decoding reads for every token",
    "speaker": "Ada Augusta King, Countess of Lovelace",
    "affiliation": "Department of Computer Science and Technology, University of Cambridge",
    "event": "Attention Summit 2026, Main Hall",
}


def title_talks():
    base = talk_for(SPEAKER_TALK)
    return [
        pytest.param(base, id="speaker"),
        pytest.param(dataclasses.replace(base, **LONG), id="longest"),
        pytest.param(dataclasses.replace(base, **LONG, theme="light"), id="longest-light"),
    ]


def test_the_long_title_takes_three_lines():
    lines = wrap(LONG["title"], theme.SIZE.title, theme.CONTENT_WIDTH)
    assert len(lines) == 3


@pytest.mark.parametrize("talk", title_talks())
def test_the_title_card_keeps_clear_of_the_counter_and_its_lines_apart(talk):
    scene = constructed_for("Opening", talk)
    (snap,) = scene.snapshots
    counter = next(i for i in snap.items if i.text.endswith(f"/ {scene.placement.total_slides}"))
    card = [i for i in snap.items if i is not counter]
    assert counter.bottom - max(i.top for i in card) >= COUNTER_AIR - 1e-6
    for item in snap.items:
        assert item.left >= theme.CONTENT_LEFT and item.right <= theme.CONTENT_RIGHT
        assert item.bottom >= theme.CONTENT_BOTTOM and item.top <= theme.CONTENT_CEILING
    # the byline's lines (the speaker, the affiliation, the event and date), each field
    # possibly wrapped: between one field and the next, BYLINE_GAP
    fields = byline_lines(talk)
    rows = sorted(
        (i for i in card if i.top <= speaker_top(card, talk) + 1e-6), key=lambda i: -i.top
    )
    owner = [next(k for k, f in enumerate(fields) if row.text in f) for row in rows]
    pairs = list(zip(rows, owner, strict=True))
    for (upper, a), (lower, b) in itertools.pairwise(pairs):
        if a != b:
            assert upper.bottom - lower.top >= BYLINE_GAP - 1e-6, (upper.text, lower.text)
    assert len(set(owner)) == len(fields)


def speaker_top(items, talk) -> float:
    return next(i.top for i in items if i.text == talk.speaker)
