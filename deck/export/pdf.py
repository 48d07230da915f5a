"""The PDF export: one page per slide, for reading and printing."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from deck import compat
from deck.export.writer import ExportOptions

if TYPE_CHECKING:
    from manim_slides.config import PresentationConfig


def write(configs: list[PresentationConfig], dest: Path, options: ExportOptions) -> None:
    # The last frame: what the slide shows once its animation has played.
    compat.convert_to_pdf(configs, dest, last=True)
