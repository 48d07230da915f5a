"""Shared fixtures: scenes constructed without rendering video, once per (scene, preset)."""

from __future__ import annotations

import datetime
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

# A talk that is not a preset's, with every byline field set: a model read from a
# config.json (Qwen3-4B: head_dim 128 over hidden 2560, q/k norms) and a speaker.
SPEAKER_TALK = "qwen3-4b-speaker"
SPEAKER = {
    "speaker": "Ada Lovelace",
    "affiliation": "Analytical Engine Society",
    "event": "Attention Summit 2026",
    "date": datetime.date(2026, 11, 26),
}


@functools.cache
def talk_for(talk_id: str) -> Talk:
    """The talk a test id names: a preset's default talk, or `SPEAKER_TALK`."""
    if talk_id == SPEAKER_TALK:
        return Talk(load_config(CONFIGS / "Qwen3-4B" / "config.json"), **SPEAKER)
    return Talk.for_preset(talk_id)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/*.png from the current deck",
    )


@functools.cache
def constructed(scene_name: str, preset: str, capture_frames: bool = False):
    """Construct a scene for a preset's talk (or `SPEAKER_TALK`) with animations skipped,
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


TALKS = [*PRESETS, SPEAKER_TALK]
SCENE_PRESET_PARAMS = [
    pytest.param(s.__name__, p, id=f"{s.__name__}-{p}") for p in TALKS for s in SCENES
]
