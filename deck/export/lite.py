"""The small HTML deck, for sharing by mail: each slide's last frame, its notes (S, the
speaker view) and the live slides, without the videos.

The same page as html.py (templates/deck_lite.html.j2 extends deck.html.j2): reveal.js,
the keys, the overview and the calculator work as there; a slide shows its settled
picture instead of playing its animation: one WebP of its last frame, a little more
compressed than the full deck's (pictures.py, "lite"), shown in the overview too.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from deck.export.html import render_page, write_page
from deck.export.writer import ExportOptions

if TYPE_CHECKING:
    from manim_slides.config import PresentationConfig

    from deck.export.pictures import Pictures

PICTURES = ("lite",)
PAGE = "deck_lite.html.j2"


def write(
    configs: list[PresentationConfig], dest: Path, options: ExportOptions, pictures: Pictures
) -> None:
    page = render_page(configs, options, pictures, page=PAGE, first="lite", overview=None)
    write_page(page, dest)
