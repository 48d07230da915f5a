"""Export rendered slides to one offline HTML file, a PDF, a PowerPoint file and a handout.

Input: the manim-slides output of `deck build` (`<Scene>.json` + `files/<Scene>/*.mp4`).
Every output is written to a temporary file next to its destination and moved into
place only once all requested formats succeeded, so a failure or Ctrl-C leaves the
previous exports exactly as they were.

Public API (what deck/commands/build.py and the tests use; keep it stable):
- `export(build, scene_names, formats=FORMATS, *, options=..., pictures_dir=None)`
  writes `out_path(build, format)` for each format from the build's slides
  (`<stem>.<format>` in its `out_dir`, and `<stem>-handout.pdf` for the handout) and
  returns the paths; `pictures_dir` is the folder that keeps the slides' pictures between
  exports (`deck build`'s: `build.pictures`), None to make them afresh;
- `up_to_date(build, scene_names, formats=FORMATS, *, options=...)` is True when those
  files exist and were made from exactly the current renders, code and options;
- `ExportError`: bad input or a failed conversion, its message one line saying what to do;
- `FORMATS`: the formats a whole-deck build writes, in that order; `EXTRA_FORMATS`, those
  written on request (lite.py: the small HTML; video.py: the talk as one MP4).

The modules, by role:
- writer.py: `ExportOptions` (settings shared by all formats) and the one
  signature every writer has, `write(configs, dest, options, pictures)`;
- videos.py: the slide configs and the videos they name, all checked before any writing;
- pictures.py: each slide's first and last frames, encoded as the writers embed them
  (`PICTURES` of each writer module names the kinds it needs), made once per video
  content and kept, so that after an edit only the changed slides are decoded again;
- html.py, pdf.py, pptx.py, handout.py: one writer each; the page is
  templates/deck.html.j2 (blocks `style`, `slide` and `scripts` for a variant to extend)
  and its script templates/deck.js, with the reveal.js files reveal.py declares inlined;
  pacing.py spreads the talk's minutes over the slides for the HTML speaker view;
- live slides (`ExportOptions.interactive`: deck-wide slide index → a `Widget`, its
  template here in templates/ and its data, deck/content/widgets.py; the KV-cache
  calculator's is made by deck/content/kv_calculator.py); fonts.py finds the font file
  the page inlines;
- stamp.py: the exports' stamp behind `up_to_date` (made by deck/system/digest.py).
Files are replaced atomically (deck/system/atomic.py); manim-slides' loader is reached
through deck/compat/manim_slides.py; the videos' frames are read with PyAV (videos.py)
and the files written with python-pptx and reportlab.

To add a format: a module with `write(configs, dest, options, pictures)` that writes the
whole deck to `dest` (raising ExportError with a one-line fix for bad input) and
`PICTURES`, the kinds of pictures.KINDS it embeds; its name in `WRITERS` (and an entry
in `writer.FILE_NAMES` if its file is not `<stem>.<format>`), and a field on
`ExportOptions` for any setting it needs. The missing pictures are made, then the
writers run, in parallel processes, each writer into its own temporary file.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from deck.export import pictures, stamp
from deck.export.videos import load_presentations
from deck.export.writer import TITLE, ExportOptions, Writer, out_path
from deck.failure import ExportError
from deck.project import Build
from deck.system import atomic
from deck.system.lifeline import forked_pool

if TYPE_CHECKING:
    from manim_slides.config import PresentationConfig

__all__ = [
    "FORMATS",
    "TITLE",
    "WRITERS",
    "ExportError",
    "ExportOptions",
    "export",
    "out_path",
    "up_to_date",
]


def _writer(fmt: str) -> Writer:
    """The `write` of this package's module `fmt`, imported on the first call: reportlab,
    python-pptx and Jinja2 take a second to import, which a build with nothing to
    export never needs."""

    def write(configs, dest, options, made) -> None:
        _module(fmt).write(configs, dest, options, made)

    return write


def _module(fmt: str):
    return importlib.import_module(f"{__name__}.{fmt}")


FORMATS = ("html", "pdf", "pptx", "handout")  # what a whole-deck build writes
# for sharing, on request (`deck build --lite`, `--video`): the small HTML, one MP4
EXTRA_FORMATS = ("lite", "video")
WRITERS: dict[str, Writer] = {fmt: _writer(fmt) for fmt in (*FORMATS, *EXTRA_FORMATS)}


def needs(fmt: str) -> tuple[str, ...]:
    """The pictures (pictures.KINDS) format `fmt` embeds: its module's PICTURES."""
    return _module(fmt).PICTURES


DEFAULT_OPTIONS = ExportOptions()  # frozen: one shared default is safe


def up_to_date(
    build: Build,
    scene_names: Sequence[str],
    formats: Sequence[str] = FORMATS,
    *,
    options: ExportOptions = DEFAULT_OPTIONS,
) -> bool:
    """True when every export exists, is the file this slides folder's last export wrote
    (not, say, another quality's), and was made from exactly the current inputs."""
    current = stamp.expected(build, scene_names, list(dict.fromkeys(formats)), options)
    return current is not None and current == stamp.recorded(build)


def export(
    build: Build,
    scene_names: Sequence[str],
    formats: Sequence[str] = FORMATS,
    *,
    options: ExportOptions = DEFAULT_OPTIONS,
    pictures_dir: Path | None = None,
) -> list[Path]:
    """Write `out_path(build, format)` for each format from the build's slides; return
    the paths written.

    All inputs are checked before anything is written; the outputs replace the previous
    ones only when every format succeeded. `pictures_dir`: the folder keeping the slides'
    pictures between exports (None: they are made afresh and not kept).
    """
    unknown = [f for f in formats if f not in WRITERS]
    if unknown:
        raise ValueError(
            f"unknown export format(s) {', '.join(unknown)}; known: {', '.join(WRITERS)}"
        )
    formats = list(dict.fromkeys(formats))
    configs = load_presentations(scene_names, build.slides)
    # a live slide the deck does not have: before writing
    _module("html").live_slides(configs, options)
    out_dir, stem = build.out_dir, build.stem
    try:  # before any conversion: a read-only folder fails at once, not after the work
        out_dir.mkdir(parents=True, exist_ok=True)
        atomic.check_writable(out_dir)
    except OSError as exc:
        raise ExportError(f"cannot write to {out_dir}: {exc.strerror or exc}") from None
    atomic.discard_stale(out_dir, stem)

    done = [(atomic.temp_path(out_path(build, f)), out_path(build, f)) for f in formats]
    kinds = list(dict.fromkeys(kind for fmt in formats for kind in needs(fmt)))
    slide_videos = [slide.file for config in configs for slide in config.slides]
    try:
        with contextlib.ExitStack() as scratch:
            if pictures_dir is None:
                temporary = tempfile.TemporaryDirectory(prefix="gqa-deck-pictures-")
                folder = Path(scratch.enter_context(temporary))
            else:
                folder = Path(pictures_dir)
            # decoding frames, encoding images and writing the formats are CPU-bound
            with forked_pool(os.cpu_count() or 1) as pool:  # a killed build leaves none
                made, digests = pictures.gather(slide_videos, kinds, folder, pool.map)
                jobs = [
                    pool.submit(_write, fmt, configs, temp, options, made.only(needs(fmt)))
                    for fmt, (temp, _) in zip(formats, done, strict=True)
                ]
                for job in jobs:
                    job.result()
        for temp, dest in done:
            os.replace(temp, dest)
        stamp.record(build, stamp.expected(build, scene_names, formats, options))
    except BaseException:
        atomic.discard([temp for temp, _ in done])
        raise
    if pictures_dir is not None:  # what the deck no longer shows
        pictures.PictureFolder(pictures_dir).prune(digests)
    return [dest for _, dest in done]


def _write(
    fmt: str,
    configs: list[PresentationConfig],
    temp: Path,
    options: ExportOptions,
    made: pictures.Pictures,
) -> None:
    """One format, in a worker process: any failure becomes a one-line ExportError."""
    try:
        WRITERS[fmt](configs, temp, options, made)
    except ExportError:
        raise
    except Exception as exc:
        reason = " ".join(str(exc).split())[:300]
        raise ExportError(f"{fmt} export failed: {type(exc).__name__}: {reason}") from None
    if not temp.is_file() or temp.stat().st_size == 0:
        raise ExportError(f"{fmt} export wrote nothing")
