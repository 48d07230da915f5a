"""Shared fixtures: scenes constructed without rendering video, once per (scene, preset)."""

from __future__ import annotations

import functools
import os
import tempfile

import pytest

from deck import theme
from deck.model import PRESETS
from deck.scenes import SCENES
from deck.scenes.base import PRESET_ENV

LOW_RES = {"pixel_height": 270, "pixel_width": 480}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/*.png from the current deck",
    )


@functools.cache
def constructed(scene_name: str, preset: str, capture_frames: bool = False):
    """Construct a scene with animations skipped; optionally keep each slide's last frame."""
    from manim import tempconfig
    from PIL import Image

    scene_cls = {s.__name__: s for s in SCENES}[scene_name]
    media = tempfile.mkdtemp(prefix="gqa-deck-test-")
    options = {
        **LOW_RES,
        "media_dir": media,
        "skip_animations": True,
        "disable_caching": True,
        "progress_bar": "none",
        "verbosity": "ERROR",
        "background_color": theme.BACKGROUND,
    }
    old = os.environ.get(PRESET_ENV)
    os.environ[PRESET_ENV] = preset
    try:
        with tempconfig(options):

            class Probe(scene_cls):
                def close_slide(self, name: str) -> None:
                    super().close_slide(name)
                    if capture_frames:
                        self.renderer.update_frame(self, ignore_skipping=True)
                        self.frames.append(
                            Image.fromarray(self.renderer.get_frame()).convert("RGB")
                        )

            Probe.__name__ = scene_cls.__name__
            scene = Probe()
            scene.frames = []
            scene.setup()
            scene.construct()
            return scene
    finally:
        if old is None:
            os.environ.pop(PRESET_ENV, None)
        else:
            os.environ[PRESET_ENV] = old


SCENE_PRESET_PARAMS = [
    pytest.param(s.__name__, p, id=f"{s.__name__}-{p}") for p in PRESETS for s in SCENES
]
