"""Golden stills of key slides at 480×270, in every theme, compared with a tolerance.

After an intended change of the look, regenerate them:
`pytest tests/scenes/test_golden.py --update-golden`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from deck import theme
from deck.talk import DEFAULT_THEME
from tests.conftest import constructed

GOLDEN = Path(__file__).parent / "golden"
KEY_SLIDES = [
    ("WhyGQA", "batch"),
    ("Family", "highlight_gqa"),
    ("Decoding", "step_2"),
    ("DataFlow", "repeat_kv"),
    ("DataFlow", "spec_card"),
    ("ScaledDotProduct", "step_scale"),
    ("AttentionWeights", "previous_token"),
    ("Evidence", "figure3"),
    ("Closing", "references"),
]
MEAN_TOLERANCE = 2.0  # mean absolute difference per channel, of 255
CHANGED_PIXEL = 48  # a pixel counts as changed beyond this difference on any channel
CHANGED_SHARE = 0.004  # at most this share of pixels may change (anti-aliasing noise)


def golden_path(scene_name: str, beat: str, theme_name: str) -> Path:
    """`Scene-beat.png` in the default theme, `Scene-beat-<theme>.png` in another."""
    suffix = "" if theme_name == DEFAULT_THEME else f"-{theme_name}"
    return GOLDEN / f"{scene_name}-{beat}{suffix}.png"


@pytest.mark.parametrize("theme_name", theme.THEMES)
@pytest.mark.parametrize(("scene_name", "beat"), KEY_SLIDES, ids=lambda v: v)
def test_key_slide_looks_as_approved(scene_name, beat, theme_name, request):
    scene = constructed(scene_name, "demo-1b", capture_frames=True, theme_name=theme_name)
    index = [s.beat for s in scene.snapshots].index(beat)
    image = scene.frames[index]
    path = golden_path(scene_name, beat, theme_name)
    if request.config.getoption("--update-golden"):
        GOLDEN.mkdir(exist_ok=True)
        image.save(path)
        return
    assert path.exists(), f"no golden still {path.name}: run pytest with --update-golden"
    got = np.asarray(image, dtype=np.int16)
    want = np.asarray(Image.open(path).convert("RGB"), dtype=np.int16)
    assert got.shape == want.shape
    diff = np.abs(got - want)
    changed = (diff.max(axis=2) > CHANGED_PIXEL).mean()
    assert diff.mean() <= MEAN_TOLERANCE and changed <= CHANGED_SHARE, (
        f"{path.name}: mean difference {diff.mean():.2f}, {changed:.2%} of pixels changed"
    )
