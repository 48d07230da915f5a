"""Export rendered slides to one offline HTML file, a PDF, a PowerPoint file and a handout.

Input: the manim-slides output of `deck build` (`<Scene>.json` + `files/<Scene>/*.mp4`).
Every output is written to a temporary file next to its destination and moved into
place only once all requested formats succeeded, so a failure or Ctrl-C leaves the
previous exports exactly as they were.

Public API (what deck/cli.py and the tests use; keep it stable):
- `export(scene_names, slides_dir, out_dir, stem, formats=FORMATS, *, options=...)`
  writes `out_path(out_dir, stem, format)` for each format (`<stem>.<format>`, and
  `<stem>-handout.pdf` for the handout) and returns the paths;
- `up_to_date(scene_names, slides_dir, out_dir, stem, formats=FORMATS, *, options=...)`
  is True when those files exist and were made from exactly the current renders, code
  and options;
- `ExportError`: bad input or a failed conversion, its message one line saying what to do;
- `FORMATS`: the formats `WRITERS` knows, in the order they are written by default.

The modules, by role:
- writer.py: `ExportError`, `ExportOptions` (settings shared by all formats) and the one
  signature every writer has, `write(configs, dest, options)`;
- videos.py: the slide configs and the videos they name, all checked before any writing;
- html.py, pdf.py, pptx.py, handout.py: one writer each; the page is
  templates/deck.html.j2 (blocks `style`, `slide` and `scripts` for a variant to extend)
  and its script templates/deck.js, with the reveal.js files reveal.py declares inlined;
  pacing.py spreads the talk's minutes over the slides for the HTML speaker view;
- widgets.py: `Widget`, a live slide's template and data (`ExportOptions.interactive`:
  deck-wide slide index → widget); kv_calculator.py builds the KV-cache calculator's
  (templates/kv_calculator.*), fonts.py finds the font file the page inlines;
- atomic.py: temporary files, moving them into place, leftovers of killed exports;
- stamp.py: the digest of the inputs behind `up_to_date`.
manim-slides' loader is reached through deck/compat.py; the writers read the videos'
frames with PyAV themselves (videos.py) and write with python-pptx, reportlab and PIL.

To add a format: a module with `write(configs, dest, options)` that writes the whole deck
to `dest` (raising ExportError with a one-line fix for bad input), one entry in `WRITERS`
(and one in `FILE_NAMES` if its file is not `<stem>.<format>`), and a field on
`ExportOptions` for any setting it needs. The writers run in parallel
processes, each into its own temporary file.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from deck.export import atomic, handout, html, pdf, pptx, stamp
from deck.export.videos import load_presentations
from deck.export.writer import TITLE, ExportError, ExportOptions, Writer
from deck.lifeline import die_with_parent

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

WRITERS: dict[str, Writer] = {
    "html": html.write,
    "pdf": pdf.write,
    "pptx": pptx.write,
    "handout": handout.write,
}
FORMATS = tuple(WRITERS)
DEFAULT_OPTIONS = ExportOptions()  # frozen: one shared default is safe
# The file of a format, after the stem, when it is not `.<format>`.
FILE_NAMES = {"handout": "-handout.pdf"}


def out_path(out_dir: Path, stem: str, fmt: str) -> Path:
    """Where format `fmt` of the deck `stem` is written: gqa.html, ..., gqa-handout.pdf."""
    return Path(out_dir) / f"{stem}{FILE_NAMES.get(fmt, f'.{fmt}')}"


def up_to_date(
    scene_names: Sequence[str],
    slides_dir: Path,
    out_dir: Path,
    stem: str,
    formats: Sequence[str] = FORMATS,
    *,
    options: ExportOptions = DEFAULT_OPTIONS,
) -> bool:
    """True when every export exists, is the file this slides folder's last export wrote
    (not, say, another quality's), and was made from exactly the current inputs."""
    formats = list(dict.fromkeys(formats))
    outputs = [out_path(out_dir, stem, fmt) for fmt in formats]
    return stamp.is_current(scene_names, Path(slides_dir), outputs, stem, formats, options)


def export(
    scene_names: Sequence[str],
    slides_dir: Path,
    out_dir: Path,
    stem: str,
    formats: Sequence[str] = FORMATS,
    *,
    options: ExportOptions = DEFAULT_OPTIONS,
) -> list[Path]:
    """Write `out_path(out_dir, stem, format)` for each format; return the paths written.

    All inputs are checked before anything is written; the outputs replace the previous
    ones only when every format succeeded.
    """
    unknown = [f for f in formats if f not in WRITERS]
    if unknown:
        raise ValueError(
            f"unknown export format(s) {', '.join(unknown)}; known: {', '.join(FORMATS)}"
        )
    formats = list(dict.fromkeys(formats))
    configs = load_presentations(scene_names, Path(slides_dir))
    html.live_slides(configs, options)  # a live slide the deck does not have: before writing
    out_dir = Path(out_dir)
    try:  # before any conversion: a read-only folder fails at once, not after the work
        out_dir.mkdir(parents=True, exist_ok=True)
        atomic.check_writable(out_dir)
    except OSError as exc:
        raise ExportError(f"cannot write to {out_dir}: {exc.strerror or exc}") from None
    atomic.discard_stale(out_dir, stem)

    done = [
        (atomic.temp_path(out_path(out_dir, stem, f)), out_path(out_dir, stem, f)) for f in formats
    ]
    try:
        # the formats are independent and CPU-bound (decoding frames, encoding images)
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(
            max_workers=min(len(done), os.cpu_count() or 1),
            mp_context=context,
            initializer=die_with_parent,  # a killed build leaves no writer behind
            initargs=(os.getpid(),),
        ) as pool:
            jobs = [
                pool.submit(_write, fmt, configs, temp, options)
                for fmt, (temp, _) in zip(formats, done, strict=True)
            ]
            for job in jobs:
                job.result()
        for temp, dest in done:
            os.replace(temp, dest)
        outputs = [dest for _, dest in done]
        stamp.record(scene_names, Path(slides_dir), outputs, stem, formats, options)
    except BaseException:
        atomic.discard([temp for temp, _ in done])
        raise
    return [dest for _, dest in done]


def _write(fmt: str, configs: list[PresentationConfig], temp: Path, options: ExportOptions) -> None:
    """One format, in a worker process: any failure becomes a one-line ExportError."""
    try:
        WRITERS[fmt](configs, temp, options)
    except ExportError:
        raise
    except Exception as exc:
        reason = " ".join(str(exc).split())[:300]
        raise ExportError(f"{fmt} export failed: {type(exc).__name__}: {reason}") from None
    if not temp.is_file() or temp.stat().st_size == 0:
        raise ExportError(f"{fmt} export wrote nothing")
