"""The small HTML deck, for sharing by mail: each slide's last frame, its notes (S, the
speaker view) and the live slides, without the videos.

The same page as html.py (templates/deck_lite.html.j2 extends deck.html.j2): reveal.js,
the keys, the overview and the calculator work as there; a slide shows its settled
picture instead of playing its animation. The pictures are the overview's WebP last
frames (pictures.py), so a build that wrote the full HTML has them already.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from deck.export.html import render_page, write_page
from deck.export.writer import ExportOptions

if TYPE_CHECKING:
    from manim_slides.config import PresentationConfig

    from deck.export.pictures import Pictures

PICTURES = ("overview",)
PAGE = "deck_lite.html.j2"


def write(
    configs: list[PresentationConfig], dest: Path, options: ExportOptions, pictures: Pictures
) -> None:
    write_page(render_page(configs, options, pictures, page=PAGE, first="overview"), dest)
