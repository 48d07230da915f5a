"""Shared fixtures: scenes constructed without rendering video, once per (scene, preset)."""

from __future__ import annotations

import functools
import tempfile

import pytest

from deck import theme
from deck.frames import CapturesFrames
from deck.layout import RecordsLayout
from deck.model import PRESETS
from deck.scenes import BY_NAME, SCENES, make_scene
from deck.talk import Talk

LOW_RES = {"pixel_height": 270, "pixel_width": 480}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/*.png from the current deck",
    )


def constructed(scene_name: str, preset: str, capture_frames: bool = False):
    """Construct a scene with animations skipped, recording each slide's layout (and,
    with `capture_frames`, its last frame)."""
    return constructed_for(scene_name, Talk.for_preset(preset), capture_frames)


@functools.cache
def constructed_for(scene_name: str, talk: Talk, capture_frames: bool = False):
    """`constructed` for any talk (e.g. a model read from a config.json)."""
    from manim import tempconfig

    options = {
        **LOW_RES,
        "media_dir": tempfile.mkdtemp(prefix="gqa-deck-test-"),
        "skip_animations": True,
        "disable_caching": True,
        "progress_bar": "none",
        "verbosity": "ERROR",
        "background_color": theme.BACKGROUND,
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
