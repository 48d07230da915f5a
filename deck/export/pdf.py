"""The PDF export: one page per slide, its last frame, with the talk's title and author."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from deck.export.videos import last_frame
from deck.export.writer import ExportOptions

if TYPE_CHECKING:
    from manim_slides.config import PresentationConfig

# Pixels per inch of the page: a 1920-pixel frame is a 19.2 in page (PDF viewers fit it to
# the window; printers to the paper), as manim-slides' own PDF export sizes its pages.
RESOLUTION = 100.0


def write(configs: list[PresentationConfig], dest: Path, options: ExportOptions) -> None:
    # The last frame: what the slide shows once its animation has played.
    pages = [last_frame(s.file).convert("RGB") for c in configs for s in c.slides]
    pages[0].save(
        dest,
        "PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=RESOLUTION,
        # without a title, PIL names the document after the (temporary) file
        **options.document_info(),
        creationDate=options.timestamp.utctimetuple(),  # PIL takes a struct_time
        modDate=options.timestamp.utctimetuple(),
    )
