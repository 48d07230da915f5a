"""The offline HTML deck: reveal.js, the videos and their posters, all in one file.

The page is templates/deck.html.j2 (its script: templates/deck.js), rendered with Jinja2
as manim-slides renders its own reveal.js template; it must work with no network at all.
"""

from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path
from typing import TYPE_CHECKING

import jinja2

from deck.content.widgets import Widget
from deck.export import fonts, pacing, reveal
from deck.export.pictures import KINDS
from deck.export.videos import check_video
from deck.export.writer import ExportOptions
from deck.failure import ExportError

if TYPE_CHECKING:
    from manim_slides.config import PresentationConfig

    from deck.export.pictures import Pictures

TEMPLATES = Path(__file__).with_name("templates")
PAGE = "deck.html.j2"
# Per slide, its first frame is painted behind its video, so that a video that has not
# decoded its first frame yet shows that frame (its playback starts there), never a black
# flash; its last frame is what the overview (O) shows of it, so that neighbouring slides,
# each starting where the last ended, can be told apart.
PICTURES = ("poster", "overview")
URL = re.compile(rb"https?://", re.IGNORECASE)


def data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64," + base64.b64encode(data).decode("ascii")


def video_uri(video: Path) -> str:
    return data_uri(Path(video).read_bytes(), mimetypes.guess_type(video)[0] or "video/mp4")


def picture_uri(pictures: Pictures, video: Path, kind: str) -> str:
    return data_uri(pictures.read(video, kind), KINDS[kind].mime)


def duration_ms(video: Path) -> float:
    return 1000 * check_video(Path(video))


def font_face(family: str) -> str:
    """A CSS @font-face rule for `family`'s regular face, inlined as a subset of it."""
    path, css_format, mime = fonts.font_file(family)
    return (
        f'@font-face {{ font-family: "{family}"; font-style: normal; font-weight: 400; '
        f'src: url({data_uri(fonts.subset(path), mime)}) format("{css_format}"); }}'
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


def timings(configs: list[PresentationConfig], options: ExportOptions) -> list[int] | None:
    """Seconds per slide for the speaker view's pacing timer; None without a duration."""
    if options.minutes is None:
        return None
    notes = [s.notes for c in configs for s in c.slides]
    try:
        return pacing.seconds_per_slide(notes, options.minutes)
    except ValueError as exc:
        raise ExportError(f"{exc}: give the talk more minutes") from None


def notes_of(slide, widgets: dict[str, Widget]) -> str:
    """A slide's notes in the HTML deck: a live slide's are its widget's, if it has any."""
    widget = widgets.get(str(slide.file))
    return widget.notes if widget is not None and widget.notes else slide.notes


def rehearsal_plan(paced: list[int] | None, notes: list[str]) -> tuple[list[int], str]:
    """Seconds per slide that a rehearsal (speaker view) is timed against, and what they
    are: the pacing timer's (`paced`) with a talk length, else the time each slide's
    `notes` take to say."""
    if paced:
        return paced, f"{sum(paced) // 60:g} minutes"
    return pacing.spoken_seconds(notes), f"notes at {pacing.WORDS_PER_MINUTE} words a minute"


def render_page(
    configs: list[PresentationConfig],
    options: ExportOptions,
    pictures: Pictures,
    *,
    page: str = PAGE,
    first: str = "poster",
    overview: str | None = "overview",
) -> str:
    """The deck's page: `page` (a template extending deck.html.j2), each slide painted with
    its picture `first` until its video (if the page has videos) plays, and with its
    picture `overview` in the overview (None: `first` serves for both)."""
    assets = reveal.inline_assets()  # first: a missing reveal.js fails before any decoding
    widgets = live_slides(configs, options)
    seconds = timings(configs, options)
    slides = [slide for config in configs for slide in config.slides]
    plans, plan_basis = rehearsal_plan(seconds, [s.notes for s in slides])
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,  # a misspelt name fails the export, not the page
    )
    return environment.get_template(page).render(
        presentations=configs,
        title=options.title,
        page_color=configs[0].background_color.as_hex(),
        posters={str(s.file): picture_uri(pictures, s.file, first) for s in slides},
        overviews={
            str(s.file): picture_uri(pictures, s.file, overview) for s in slides if overview
        },
        timings=seconds,
        total_time=sum(seconds) if seconds else None,
        plans=plans,
        plan_basis=plan_basis,
        marks=options.marks,
        data_uri=video_uri,
        duration_ms=duration_ms,
        widgets=widgets,
        notes_of=lambda slide: notes_of(slide, widgets),
        font_face=font_face,
        **assets,
    )


def write(
    configs: list[PresentationConfig], dest: Path, options: ExportOptions, pictures: Pictures
) -> None:
    write_page(render_page(configs, options, pictures), dest)


def write_page(page: str, dest: Path) -> None:
    """Write `page`, which must not refer to the network (it is opened offline)."""
    dest.write_text(page, encoding="utf-8")
    match = URL.search(page.encode("utf-8"))
    if match:
        raise ExportError(
            f"the HTML export refers to a network address (at byte {match.start()}): "
            "it would not work offline"
        )
