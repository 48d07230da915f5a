"""The offline HTML deck: reveal.js, the videos and their posters, all in one file.

The page is templates/deck.html.j2 (its script: templates/deck.js), rendered with Jinja2
as manim-slides renders its own reveal.js template; it must work with no network at all.
"""

from __future__ import annotations

import base64
import io
import mimetypes
import re
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from deck import compat
from deck.export import fonts, reveal
from deck.export.videos import check_video
from deck.export.widgets import Widget
from deck.export.writer import ExportError, ExportOptions

if TYPE_CHECKING:
    from manim_slides.config import PresentationConfig

TEMPLATES = Path(__file__).with_name("templates")
PAGE = "deck.html.j2"
# Per-slide poster frames inlined in the HTML: WebP is a third of the size of JPEG here
# (0.5 vs 1.6 MiB for the deck at 1080p) and every current browser shows it.
POSTER_QUALITY = 80
URL = re.compile(rb"https?://", re.IGNORECASE)


def data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def video_uri(video: Path) -> str:
    return data_uri(Path(video).read_bytes(), mimetypes.guess_type(video)[0] or "video/mp4")


def poster_uri(video: Path) -> str:
    """The first frame of `video` as a WebP data: URI."""
    buffer = io.BytesIO()
    compat.video_frame(video, last=False).convert("RGB").save(
        buffer, "WEBP", quality=POSTER_QUALITY
    )
    return data_uri(buffer.getvalue(), "image/webp")


def duration_ms(video: Path) -> float:
    return 1000 * check_video(Path(video))


def font_face(family: str) -> str:
    """A CSS @font-face rule for `family`'s regular face, its file inlined."""
    path, css_format, mime = fonts.font_file(family)
    return (
        f'@font-face {{ font-family: "{family}"; font-style: normal; font-weight: 400; '
        f'src: url({data_uri(path.read_bytes(), mime)}) format("{css_format}"); }}'
    )


def live_slides(configs: list[PresentationConfig], options: ExportOptions) -> dict[str, Widget]:
    """The widget of each live slide, keyed by the slide's video (what the template sees)."""
    files = [str(slide.file) for config in configs for slide in config.slides]
    bad = [i for i in options.interactive if not 0 <= i < len(files)]
    if bad:
        raise ExportError(
            f"live slide {bad[0]} is not in the deck's {len(files)} slides: run `deck build` again"
        )
    shared = [i for i in options.interactive if files.count(files[i]) > 1]
    if shared:
        raise ExportError(f"live slide {shared[0]} shares its video with another slide")
    return {files[i]: widget for i, widget in options.interactive.items()}


def render_page(configs: list[PresentationConfig], options: ExportOptions) -> str:
    assets = reveal.inline_assets()  # first: a missing reveal.js fails before any decoding
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,  # a misspelt name fails the export, not the page
    )
    return environment.get_template(PAGE).render(
        presentations=configs,
        title=options.title,
        page_color=configs[0].background_color.as_hex(),
        posters={str(s.file): poster_uri(s.file) for c in configs for s in c.slides},
        data_uri=video_uri,
        duration_ms=duration_ms,
        widgets=live_slides(configs, options),
        font_face=font_face,
        **assets,
    )


def write(configs: list[PresentationConfig], dest: Path, options: ExportOptions) -> None:
    page = render_page(configs, options)
    dest.write_text(page, encoding="utf-8")
    match = URL.search(page.encode("utf-8"))
    if match:
        raise ExportError(
            f"the HTML export refers to a network address (at byte {match.start()}): "
            "it would not work offline"
        )
