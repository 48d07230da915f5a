"""Every slide of every scene, for every preset: on the grid (inside the safe area, its
title in the one title place), nothing overlapping, readable; cards short and without
orphans; outlines clear of what they frame; and, on the rendered still, no ink in the
margin."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from manim import ManimColor

from deck import theme
from deck.components.page import SLIDE_TITLE
from deck.components.roles import BOX, DECOR, HEAD, LINE, TEXT
from deck.content.wrap import words
from tests.conftest import LAYOUT_PARAMS, constructed

TOUCH = 0.005  # overlaps thinner than this are shared edges, not overlaps
PLACE = 0.005  # a title is in the title place within this (units; under 1 px at 1080p)
# The title slide and the closing "Thank you" are title cards: centred, no slide title.
TITLE_CARDS = {"title", "questions"}
INK = 12  # a margin pixel may differ from the background by this much (of 255)
# A shape's box is its outline's centre line: half its stroke lies outside (a card's
# panel on the content's edge), at most half the widest stroke, under a pixel at 480p.
STROKE_BLEED = theme.STROKE_HIGHLIGHT * theme.STROKE_UNIT / 2


def slides(scene_name: str, preset: str, theme_name: str):
    return scene_for(scene_name, preset, theme_name).snapshots


def scene_for(scene_name: str, preset: str, theme_name: str):
    # frames too: one construction serves the layout data and the rendered stills
    return constructed(scene_name, preset, capture_frames=True, theme_name=theme_name)


def describe(item) -> str:
    box = f"[{item.left:.2f}, {item.right:.2f}] × [{item.bottom:.2f}, {item.top:.2f}]"
    return f"{item.role} {item.text!r} {box}"


@pytest.mark.parametrize(("scene_name", "preset", "theme_name"), LAYOUT_PARAMS)
def test_everything_inside_the_safe_area(scene_name, preset, theme_name):
    """The 4 % margin on every side, header and counter included; under the header, only
    slide content (nothing rises into the header's band)."""
    for snap in slides(scene_name, preset, theme_name):
        for item in snap.items:
            inside = (
                item.left >= theme.CONTENT_LEFT - TOUCH
                and item.right <= theme.CONTENT_RIGHT + TOUCH
                and item.bottom >= theme.CONTENT_BOTTOM - TOUCH
                and item.top <= theme.CONTENT_CEILING + TOUCH
            )
            assert inside, f"{snap.beat}: {describe(item)} leaves the safe area"
        header = [i for i in snap.items if i.bottom >= theme.HEADER_BOTTOM - TOUCH]
        for item in snap.items:
            if item not in header:
                assert item.top <= theme.HEADER_BOTTOM, (
                    f"{snap.beat}: {describe(item)} in the header"
                )


@pytest.mark.parametrize(("scene_name", "preset", "theme_name"), LAYOUT_PARAMS)
def test_every_slide_has_its_title_in_the_title_place(scene_name, preset, theme_name):
    for snap in slides(scene_name, preset, theme_name):
        titles = [i for i in snap.items if i.kind == SLIDE_TITLE]
        if snap.beat in TITLE_CARDS:
            assert not titles, f"{snap.beat}: a title card has no slide title"
            continue
        assert len(titles) == 1, f"{snap.beat}: {len(titles)} slide titles"
        (title,) = titles
        assert title.font_size == pytest.approx(theme.SIZE.heading), describe(title)
        assert title.left == pytest.approx(theme.CONTENT_LEFT, abs=PLACE), describe(title)
        assert title.baseline == pytest.approx(theme.TITLE_BASELINE, abs=PLACE), describe(title)


@pytest.mark.parametrize(("scene_name", "preset", "theme_name"), LAYOUT_PARAMS)
def test_no_ink_in_the_margin(scene_name, preset, theme_name):
    """On the rendered still: every pixel wholly outside the safe area (and the half of a
    stroke that may lie over its edge) is background."""
    scene = scene_for(scene_name, preset, theme_name)
    background = np.array(ManimColor(theme.palette(theme_name).BACKGROUND).to_rgb()) * 255
    for snap, frame in zip(scene.snapshots, scene.frames, strict=True):
        pixels = np.asarray(frame, dtype=np.float64)
        height, width, _ = pixels.shape
        per_unit = height / theme.FRAME_HEIGHT
        mx = theme.SAFE_SHARE * width - STROKE_BLEED * per_unit
        my = theme.SAFE_SHARE * height - STROKE_BLEED * per_unit
        inner = np.zeros((height, width), dtype=bool)  # pixels touching the safe area
        inner[int(my) : int(np.ceil(height - my)), int(mx) : int(np.ceil(width - mx))] = True
        ink = np.abs(pixels - background).max(axis=2) > INK
        stray = np.argwhere(ink & ~inner)
        assert not len(stray), (
            f"{snap.beat}: {len(stray)} pixels of ink in the margin, e.g. (y, x) = "
            f"{tuple(stray[0])} of {height}×{width}"
        )


@pytest.mark.parametrize(("scene_name", "preset", "theme_name"), LAYOUT_PARAMS)
def test_outlines_keep_clear_of_what_they_frame(scene_name, preset, theme_name):
    for snap in slides(scene_name, preset, theme_name):
        for item in snap.items:
            if item.clearance is not None:
                assert item.clearance >= theme.HIGHLIGHT_GAP - TOUCH / 5, (
                    f"{snap.beat}: {describe(item)} leaves {item.clearance:.3f} clear"
                )


@pytest.mark.parametrize(("scene_name", "preset", "theme_name"), LAYOUT_PARAMS)
def test_cards_are_short_and_without_orphans(scene_name, preset, theme_name):
    """A card holds at most `theme.CARD_MAX_WORDS` words, title included; the last line of
    a wrapped paragraph has two words or more, unless the paragraph is one word."""
    for snap in slides(scene_name, preset, theme_name):
        for item in snap.items:
            if not item.paragraphs:
                continue
            count = sum(words(line) for p in item.paragraphs for line in p)
            assert count <= theme.CARD_MAX_WORDS, f"{snap.beat}: a card of {count} words"
            for paragraph in item.paragraphs:
                if len(paragraph) > 1:
                    assert words(paragraph[-1]) >= 2, (
                        f"{snap.beat}: orphan {paragraph[-1]!r} ending {paragraph!r}"
                    )


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
