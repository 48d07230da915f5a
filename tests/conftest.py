"""Shared fixtures: scenes constructed without rendering video, once per (scene, preset, theme)."""

from __future__ import annotations

import dataclasses
import functools
import tempfile

import pytest

from deck import theme
from deck.frames import CapturesFrames
from deck.layout import RecordsLayout
from deck.model import DEFAULT_PRESET, PRESETS
from deck.scenes import BY_NAME, SCENES, make_scene
from deck.talk import DEFAULT_THEME, Talk

LOW_RES = {"pixel_height": 270, "pixel_width": 480}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/*.png from the current deck",
    )


def constructed(
    scene_name: str, preset: str, capture_frames: bool = False, theme_name: str = DEFAULT_THEME
):
    """Construct a scene with animations skipped, recording each slide's layout (and,
    with `capture_frames`, its last frame), for `preset` in the theme `theme_name`."""
    # one cache key per scene, however the arguments are spelled
    return _constructed(scene_name, preset, capture_frames, theme_name)


@functools.cache
def _constructed(scene_name: str, preset: str, capture_frames: bool, theme_name: str):
    from manim import tempconfig

    talk = dataclasses.replace(Talk.for_preset(preset), theme=theme_name)
    options = {
        **LOW_RES,
        "media_dir": tempfile.mkdtemp(prefix="gqa-deck-test-"),
        "skip_animations": True,
        "disable_caching": True,
        "progress_bar": "none",
        "verbosity": "ERROR",
        "background_color": theme.palette(theme_name).BACKGROUND,
    }
    mixins = (RecordsLayout, CapturesFrames) if capture_frames else (RecordsLayout,)
    with tempconfig(options):
        scene = make_scene(BY_NAME[scene_name], talk, *mixins)
        scene.setup()
        scene.construct()
        return scene


SCENE_PRESET_PARAMS = [
    pytest.param(s.__name__, p, id=f"{s.__name__}-{p}") for p in PRESETS for s in SCENES
]

# Layout does not depend on colour, but every theme must construct: the light theme
# runs the layout checks for the default preset.
LAYOUT_PARAMS = [
    *(
        pytest.param(s.__name__, p, DEFAULT_THEME, id=f"{s.__name__}-{p}")
        for p in PRESETS
        for s in SCENES
    ),
    *(
        pytest.param(s.__name__, DEFAULT_PRESET, name, id=f"{s.__name__}-{DEFAULT_PRESET}-{name}")
        for name in theme.THEMES
        if name != DEFAULT_THEME
        for s in SCENES
    ),
]
