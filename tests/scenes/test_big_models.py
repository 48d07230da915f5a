"""Every drawing of heads and cache cells stays readable for big models: each drawn head or
cell at least 12 px at 1080p and apart from its neighbours, whether the model has 24, 64 or
128 query heads, 1 or 16 KV heads. (What the capped drawings say is in test_content.py.)"""

from __future__ import annotations

import pytest

from deck.components.roles import HEAD
from deck.scenes import BY_NAME
from deck.testing.layout import collect
from tests.conftest import BIG_CONFIGS, HEAD_SCENES, TALKS, constructed, talk_for
from tests.scenes.test_transitions import picture

PX_PER_UNIT = 1080 / 8  # 1080p: the frame is 8 units tall
MIN_PX = 12  # a head smaller than this reads as a dot of a dotted line
MIN_GAP_PX = 2  # closer than this two heads blur into one bar
PARAMS = [
    pytest.param(scene, talk, id=f"{scene}-{talk}")
    for talk in (*TALKS, *BIG_CONFIGS)
    for scene in HEAD_SCENES
]


def heads_of(snap) -> list:
    return [item for item in snap.items if item.role == HEAD]


def gap_px(a, b) -> float:
    """The distance between two boxes (negative when they overlap), in 1080p pixels."""
    dx = max(a.left - b.right, b.left - a.right)
    dy = max(a.bottom - b.top, b.bottom - a.top)
    return max(dx, dy) * PX_PER_UNIT


def describe(item) -> str:
    return f"[{item.left:.3f}, {item.right:.3f}] × [{item.bottom:.3f}, {item.top:.3f}]"


@pytest.mark.parametrize(("scene_name", "talk"), PARAMS)
def test_every_drawn_head_is_big_enough_and_apart(scene_name, talk):
    scene = constructed(scene_name, talk)
    drawn = 0
    for snap in scene.snapshots:
        heads = sorted(heads_of(snap), key=lambda i: i.left)
        drawn += len(heads)
        for item in heads:
            size = min(item.right - item.left, item.top - item.bottom) * PX_PER_UNIT
            assert size >= MIN_PX, f"{snap.beat}: a head {describe(item)} is {size:.1f} px"
        for i, a in enumerate(heads):
            for b in heads[i + 1 :]:
                if (b.left - a.right) * PX_PER_UNIT >= MIN_GAP_PX:
                    break  # sorted by left edge: every later head is further right
                gap = gap_px(a, b)
                assert gap >= MIN_GAP_PX, (
                    f"{snap.beat}: heads {describe(a)} and {describe(b)} are {gap:.1f} px apart"
                )
    # the title slide drops its heads picture when a long title and byline need the room
    # (tests/scenes/test_title_slide.py); every other model-shaped slide draws heads
    if not (scene_name == "Opening" and talk_for(talk).speaker):
        assert drawn, f"{scene_name} draws no tagged head for {talk}"


@pytest.mark.parametrize("talk", BIG_CONFIGS)
@pytest.mark.parametrize("scene_name", HEAD_SCENES)
def test_a_big_model_s_scene_ends_on_its_last_frame(scene_name, talk):
    """The next scene opens on `last_frame`: for a big model too it must rebuild the
    capped drawings exactly as the scene ended on them."""
    scene = constructed(scene_name, talk)
    carried = collect([BY_NAME[scene_name].last_frame(talk_for(talk))])
    assert picture(carried) == picture(scene.snapshots[-1].items)
