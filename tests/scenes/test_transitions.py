"""A scene opens on the exact picture the previous scene ended with: no jump between scenes."""

from __future__ import annotations

import pytest

from deck import theme
from deck.layout import collect
from deck.scenes import SCENES
from deck.talk import Talk
from tests.conftest import constructed

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


@pytest.mark.parametrize("preset", ["gqa-1b", "llama-3-8b"])
@pytest.mark.parametrize("index", range(1, len(SCENES)), ids=lambda i: SCENES[i].__name__)
def test_scene_starts_where_the_previous_one_ended(index, preset):
    before = constructed(SCENES[index - 1].__name__, preset)
    carried = collect([SCENES[index - 1].last_frame(Talk.for_preset(preset))])
    assert picture(carried) == picture(before.snapshots[-1].items)
