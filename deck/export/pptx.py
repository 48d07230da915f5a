"""The PowerPoint export: one slide per video, auto-playing, with the speaker notes."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from deck import compat
from deck.export.writer import ExportOptions

if TYPE_CHECKING:
    from manim_slides.config import PresentationConfig

# A 13.33 x 7.5 in slide is 1280 px wide at 96 dpi; the height follows the videos.
SLIDE_WIDTH_PX = 1280


def write(configs: list[PresentationConfig], dest: Path, options: ExportOptions) -> None:
    width, height = configs[0].resolution
    compat.convert_to_pptx(
        configs, dest, width=SLIDE_WIDTH_PX, height=round(SLIDE_WIDTH_PX * height / width)
    )
