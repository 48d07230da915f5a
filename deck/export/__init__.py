"""Export rendered slides to one offline HTML file, a PDF and a PowerPoint file.

Input: the manim-slides output of `deck build` (`<Scene>.json` + `files/<Scene>/*.mp4`).
Every output is written to a temporary file next to its destination and moved into
place only once all requested formats succeeded, so a failure or Ctrl-C leaves the
previous exports exactly as they were.

Public API (what deck/cli.py and the tests use; keep it stable):
- `export(scene_names, slides_dir, out_dir, stem, formats=FORMATS, *, title=TITLE,
  interactive=None)` writes `out_dir/<stem>.<format>` for each format and returns the
  paths; `interactive` maps deck-wide slide indices to the widgets the HTML deck shows
  live there (widgets.py);
- `up_to_date(scene_names, slides_dir, out_dir, stem, formats=FORMATS, *, interactive=None)`
  is True when those files exist and were made from exactly the current renders and code;
- `ExportError`: bad input or a failed conversion, its message one line saying what to do;
- `FORMATS`: the formats `WRITERS` knows, in the order they are written by default.

The modules, by role:
- writer.py: `ExportError`, `ExportOptions` (settings shared by all formats) and the one
  signature every writer has, `write(configs, dest, options)`;
- videos.py: the slide configs and the videos they name, all checked before any writing;
- html.py, pdf.py, pptx.py: one writer each; the page is templates/deck.html.j2 (blocks
  `style`, `slide` and `scripts` for a variant to extend) and its script
  templates/deck.js, with the reveal.js files reveal.py declares inlined;
- widgets.py: `Widget`, a live slide's template and data; kv_calculator.py builds the
  KV-cache calculator's (templates/kv_calculator.*);
- atomic.py: temporary files, moving them into place, leftovers of killed exports;
- stamp.py: the digest of the inputs behind `up_to_date`.
manim-slides' loader and converters are reached through deck/compat.py.

To add a format: a module with `write(configs, dest, options)` that writes the whole deck
to `dest` (raising ExportError with a one-line fix for bad input), one entry in `WRITERS`,
and a field on `ExportOptions` for any setting it needs. The writers run in parallel
processes, each into its own temporary file.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from deck import compat
from deck.export import atomic, html, pdf, pptx, stamp
from deck.export.videos import load_presentations
from deck.export.widgets import Widget, digest_text
from deck.export.writer import TITLE, ExportError, ExportOptions, Writer

if TYPE_CHECKING:
    from manim_slides.config import PresentationConfig

__all__ = ["FORMATS", "TITLE", "WRITERS", "ExportError", "ExportOptions", "export", "up_to_date"]

WRITERS: dict[str, Writer] = {"html": html.write, "pdf": pdf.write, "pptx": pptx.write}
FORMATS = tuple(WRITERS)


def up_to_date(
    scene_names: Sequence[str],
    slides_dir: Path,
    out_dir: Path,
    stem: str,
    formats: Sequence[str] = FORMATS,
    *,
    interactive: Mapping[int, Widget] | None = None,
) -> bool:
    """True when every export exists, is the file this slides folder's last export wrote
    (not, say, another quality's), and was made from exactly the current inputs."""
    formats = list(dict.fromkeys(formats))
    outputs = [Path(out_dir) / f"{stem}.{fmt}" for fmt in formats]
    extra = digest_text(interactive or {})
    return stamp.is_current(scene_names, Path(slides_dir), outputs, stem, formats, extra)


def export(
    scene_names: Sequence[str],
    slides_dir: Path,
    out_dir: Path,
    stem: str,
    formats: Sequence[str] = FORMATS,
    *,
    title: str = TITLE,
    interactive: Mapping[int, Widget] | None = None,
) -> list[Path]:
    """Write `out_dir/<stem>.<format>` for each format; return the paths written.

    `interactive` names the slides the HTML deck shows live (deck-wide index → widget).
    All inputs are checked before anything is written; the outputs replace the previous
    ones only when every format succeeded.
    """
    unknown = [f for f in formats if f not in WRITERS]
    if unknown:
        raise ValueError(
            f"unknown export format(s) {', '.join(unknown)}; known: {', '.join(FORMATS)}"
        )
    formats = list(dict.fromkeys(formats))
    options = ExportOptions(title=title, interactive=dict(interactive or {}))
    configs = load_presentations(scene_names, Path(slides_dir))
    html.live_slides(configs, options)  # a live slide the deck does not have: before writing
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic.discard_stale(out_dir, stem)
    compat.converters()  # imported once here rather than in each forked writer (0.4 s)

    done = [(atomic.temp_path(out_dir / f"{stem}.{f}"), out_dir / f"{stem}.{f}") for f in formats]
    try:
        # the formats are independent and CPU-bound (decoding frames, encoding images)
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(
            max_workers=min(len(done), os.cpu_count() or 1), mp_context=context
        ) as pool:
            jobs = [
                pool.submit(_write, fmt, configs, temp, options)
                for fmt, (temp, _) in zip(formats, done, strict=True)
            ]
            for job in jobs:
                job.result()
        for temp, dest in done:
            os.replace(temp, dest)
        written = [dest for _, dest in done]
        extra = digest_text(options.interactive)
        stamp.record(scene_names, Path(slides_dir), written, stem, formats, extra)
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
