"""Shared fixtures: scenes constructed without rendering video, once per (scene, preset)."""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

import pytest

from deck import theme
from deck.frames import CapturesFrames
from deck.hfconfig import load_config
from deck.layout import RecordsLayout
from deck.model import PRESETS
from deck.scenes import BY_NAME, SCENES, make_scene
from deck.talk import Talk

LOW_RES = {"pixel_height": 270, "pixel_width": 480}
CONFIGS = Path(__file__).parent / "data" / "configs"
CONFIG_NAMES = sorted(p.name for p in CONFIGS.iterdir() if (p / "config.json").is_file())


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/*.png from the current deck",
    )


def talk_for(name: str) -> Talk:
    """A preset by its name, or a shipped config.json by its folder in tests/data/configs."""
    if name in PRESETS:
        return Talk.for_preset(name)
    return Talk(load_config(CONFIGS / name))


@functools.cache
def constructed(scene_name: str, preset: str, capture_frames: bool = False):
    """Construct a scene for a preset (or a shipped config) with animations skipped,
    recording each slide's layout (and, with `capture_frames`, its last frame)."""
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
        scene = make_scene(BY_NAME[scene_name], talk_for(preset), *mixins)
        scene.setup()
        scene.construct()
        return scene


SCENE_PRESET_PARAMS = [
    pytest.param(s.__name__, p, id=f"{s.__name__}-{p}") for p in PRESETS for s in SCENES
]
# The sections whose pictures scale with the model's shape (head counts, context, sliding
# windows), checked also for the shipped configs: 28/4 heads, 128k tokens, windows.
SHAPED_SCENES = ("WhyGQA", "Family", "Decoding")
SCENE_CONFIG_PARAMS = [
    pytest.param(s, c, id=f"{s}-{c}") for c in CONFIG_NAMES for s in SHAPED_SCENES
]
