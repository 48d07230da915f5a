"""The render qualities `--quality` offers: light enough for `deck --help` (no manim import)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Quality:
    name: str
    flag: str  # manim's quality name
    height: int
    fps: int


QUALITIES = {
    q.name: q
    for q in (
        Quality("low", "low_quality", 480, 15),
        Quality("medium", "medium_quality", 720, 30),
        Quality("high", "high_quality", 1080, 60),
        Quality("4k", "fourk_quality", 2160, 60),
    )
}
DEFAULT_QUALITY = "high"
