"""Every slide of every scene, for every preset: inside the frame, nothing overlapping, readable."""

from __future__ import annotations

import itertools

import pytest

from deck import theme
from deck.components.roles import BOX, DECOR, HEAD, LINE, TEXT
from tests.conftest import LAYOUT_PARAMS, constructed

HALF_W, HALF_H = theme.FRAME_HALF_WIDTH, theme.FRAME_HALF_HEIGHT
EDGE = 0.12  # nothing may come closer than this to the frame's edge (units; 16 px at 1080p)
TOUCH = 0.005  # overlaps thinner than this are shared edges, not overlaps


def slides(scene_name: str, preset: str, theme_name: str):
    return constructed(scene_name, preset, theme_name=theme_name).snapshots


def describe(item) -> str:
    box = f"[{item.left:.2f}, {item.right:.2f}] × [{item.bottom:.2f}, {item.top:.2f}]"
    return f"{item.role} {item.text!r} {box}"


@pytest.mark.parametrize(("scene_name", "preset", "theme_name"), LAYOUT_PARAMS)
def test_everything_inside_the_frame(scene_name, preset, theme_name):
    for snap in slides(scene_name, preset, theme_name):
        for item in snap.items:
            inside = (
                item.left >= -HALF_W + EDGE
                and item.right <= HALF_W - EDGE
                and item.bottom >= -HALF_H + EDGE
                and item.top <= HALF_H - EDGE
            )
            assert inside, f"{snap.beat}: {describe(item)} leaves the frame"


@pytest.mark.parametrize(("scene_name", "preset", "theme_name"), LAYOUT_PARAMS)
def test_text_is_readable(scene_name, preset, theme_name):
    for snap in slides(scene_name, preset, theme_name):
        for item in snap.items:
            if item.role == TEXT:
                assert item.font_size is not None
                assert item.font_size >= theme.MIN_FONT_SIZE - 0.01, (
                    f"{snap.beat}: {describe(item)} at size {item.font_size:.1f}"
                )


def _conflict(a, b) -> str | None:
    if not a.overlaps(b, TOUCH):
        return None
    roles = {a.role, b.role}
    if roles == {TEXT}:
        return "texts overlap"
    if roles == {TEXT, LINE}:
        return "a line crosses a text"
    if roles == {BOX}:
        return None if a.contains(b) or b.contains(a) else "boxes overlap"
    if roles == {TEXT, HEAD}:
        return "a text covers a head"
    if roles in ({TEXT, BOX}, {TEXT, DECOR}):
        text_item, other = (a, b) if a.role == TEXT else (b, a)
        return None if other.contains(text_item) else "a text sticks out of a box"
    return None


@pytest.mark.parametrize(("scene_name", "preset", "theme_name"), LAYOUT_PARAMS)
def test_nothing_overlaps(scene_name, preset, theme_name):
    for snap in slides(scene_name, preset, theme_name):
        for a, b in itertools.combinations(snap.items, 2):
            problem = _conflict(a, b)
            assert problem is None, f"{snap.beat}: {problem}: {describe(a)} and {describe(b)}"
