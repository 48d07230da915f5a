"""A scene opens on the exact picture the previous scene ended with: no jump between scenes."""

from __future__ import annotations

import pytest

from deck import theme
from deck.scenes import SCENES
from deck.testing.layout import collect
from tests.conftest import TALKS, constructed, talk_for

HEADER_BOTTOM = theme.CONTENT_TOP + 0.1  # the section title and counter sit above this


def picture(items) -> list[tuple]:
    return sorted(
        (
            i.role,
            i.text,
            round(i.left, 3),
            round(i.right, 3),
            round(i.bottom, 3),
            round(i.top, 3),
            round(i.opacity, 2),
        )
        for i in items
        if i.bottom < HEADER_BOTTOM
    )


@pytest.mark.parametrize("preset", TALKS)
@pytest.mark.parametrize("index", range(1, len(SCENES)), ids=lambda i: SCENES[i].__name__)
def test_scene_starts_where_the_previous_one_ended(index, preset):
    before = constructed(SCENES[index - 1].__name__, preset)
    carried = collect([SCENES[index - 1].last_frame(talk_for(preset))])
    assert picture(carried) == picture(before.snapshots[-1].items)


@pytest.mark.parametrize("preset", TALKS)
def test_the_last_scene_ends_on_its_last_frame(preset):
    """Nothing follows it, yet its `last_frame` must describe its end as every scene's does
    (a scene added after it will open on it)."""
    last = SCENES[-1]
    carried = collect([last.last_frame(talk_for(preset))])
    assert picture(carried) == picture(constructed(last.__name__, preset).snapshots[-1].items)
