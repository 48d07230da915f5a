"""Every place the deck reaches into manim's or manim-slides' internals.

Checked against the versions pyproject.toml pins:
- manim 0.21.x (Community): `scene_file_writer` and VMobject's colour arrays;
- manim-slides 5.7.x: the private slide records of `Slide`, and `manim_slides.config`
  and `manim_slides.convert` (its documented Python API is `Slide` and `ThreeDSlide` only,
  docs/source/reference/api.md; the config model and the converters behind
  `manim-slides convert` are internals);
- typst 0.15.x: the SVG the formula components read (deck/components/formula.py).

Each reach below says what it relies on; tests/test_compat.py checks each of those
assumptions and names the version to re-check when one no longer holds. When raising a
pin, run that test first, then update `CHECKED`.
"""

from __future__ import annotations

import functools
import types
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import av

if TYPE_CHECKING:
    import numpy as np
    from manim import Mobject
    from manim_slides.config import PresentationConfig
    from PIL.Image import Image

# The minor versions every reach here was checked against (package name → "major.minor").
CHECKED = {"manim": "0.21", "manim-slides": "5.7", "typst": "0.15"}


# ── manim: the x264 preset of partial movie files ────────────────────────
# manim 0.21's SceneFileWriter.open_partial_movie_stream calls `av.open(path, mode="w")`
# then `container.add_stream("libx264", rate=..., options={...})`, through the module
# attribute `av` of manim.scene.scene_file_writer, and has no setting for the preset.
# Swapping that attribute for a wrapper adds the preset to every libx264 stream it opens.
class _PresetContainer:
    """An output container whose libx264 streams are opened with one x264 preset."""

    def __init__(self, container, preset: str):
        self._container, self._preset = container, preset

    def __getattr__(self, name: str):
        return getattr(self._container, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self._container.close()

    def add_stream(self, codec_name=None, rate=None, options=None, **kwargs):
        if codec_name == "libx264":
            options = {**(options or {}), "preset": self._preset}
        return self._container.add_stream(codec_name, rate=rate, options=options, **kwargs)


class _AvWithPreset(types.ModuleType):
    """The `av` module, except that containers opened for writing get `_PresetContainer`."""

    def __init__(self, preset: str):
        super().__init__("av")
        self._preset = preset

    def __getattr__(self, name: str):
        return getattr(av, name)

    def open(self, file, mode="r", **kwargs):
        container = av.open(file, mode, **kwargs)
        return _PresetContainer(container, self._preset) if mode == "w" else container


def set_x264_preset(preset: str) -> None:
    """Make manim encode its partial movie files with this x264 preset (this process)."""
    from manim.scene import scene_file_writer

    scene_file_writer.av = _AvWithPreset(preset)


# ── manim: a part's points and opacities, read and written in place ──────
# A manim 0.21 VMobject keeps its geometry in `points` (an (n, 3) float array, replaced
# by assignment) and its colours in `fill_rgbas`, `stroke_rgbas` and
# `background_stroke_rgbas` ((k, 4) RGBA arrays the Cairo camera draws from as they are).
# Writing the alpha column directly avoids the copies that set_opacity() and become() make.
OPACITY_ARRAYS = ("fill_rgbas", "stroke_rgbas", "background_stroke_rgbas")


class PartState(NamedTuple):
    """A copy of one part's points and of the alpha column of each of its colour arrays."""

    points: np.ndarray
    alphas: dict[str, np.ndarray]


def part_state(part: Mobject) -> PartState:
    alphas = {
        name: rgbas[:, 3].copy()
        for name in OPACITY_ARRAYS
        if (rgbas := getattr(part, name, None)) is not None and len(rgbas)
    }
    return PartState(part.points.copy(), alphas)


def write_part(
    part: Mobject, points: np.ndarray, alphas: dict[str, np.ndarray], opacity: float = 1.0
) -> None:
    """Give `part` these points, and these alphas times `opacity`."""
    part.points = points
    for name, values in alphas.items():
        getattr(part, name)[:, 3] = values * opacity


# ── manim-slides: what a Slide has recorded ──────────────────────────────
# manim-slides 5.7's Slide keeps the slides closed so far in `_slides` and the open one's
# options in `_base_slide_config`, both with `.notes`; the open slide is closed only when
# the scene is saved, so a scene that was constructed but not rendered still holds it.
def recorded_slide_notes(scene) -> list[str]:
    """The notes of every slide `scene` has recorded, the still-open last one included."""
    return [s.notes for s in scene._slides] + [scene._base_slide_config.notes]


# ── manim-slides: reading a rendered deck ────────────────────────────────
# manim-slides 5.7 writes `<folder>/<Scene>.json` with each slide's video path relative to
# the folder's parent; PresentationConfig.from_file resolves them that way and validates
# the rest (pydantic, raising ValidationError).
def slide_video(config_file: Path, file: str) -> Path:
    """A video path from a slide config, resolved as PresentationConfig.from_file does."""
    return Path(config_file).parent.parent / file


def load_presentation(config_file: Path) -> PresentationConfig:
    from manim_slides.config import PresentationConfig

    return PresentationConfig.from_file(Path(config_file))


# ── manim-slides: the converters behind `manim-slides convert` ───────────
# manim-slides 5.7's manim_slides.convert: `PDF(presentation_configs, frame_index)` and
# `PowerPoint(presentation_configs, width, height)` (pixels) with `.convert_to(dest)`,
# `read_image_from_video_file(file, FrameIndex)` returning a PIL image, and a module-level
# name `tqdm` wrapping the PDF and PPTX slide loops. Imported on first use: it takes
# 0.4 s (python-pptx, requests, bs4) that rendering never needs.
@functools.cache
def converters() -> types.ModuleType:
    """manim_slides.convert, with its progress bars off (the deck prints its own lines).

    The bars cannot be turned off otherwise: tqdm reads TQDM_DISABLE once, when it is first
    imported, and manim imports it before any export starts.
    """
    import manim_slides.convert as convert

    convert.tqdm = functools.partial(convert.tqdm, disable=True)
    return convert


def video_frame(video: Path, *, last: bool) -> Image:
    """The first (or last) frame of a video."""
    convert = converters()
    index = convert.FrameIndex.last if last else convert.FrameIndex.first
    return convert.read_image_from_video_file(Path(video), index)


def convert_to_pdf(configs: list[PresentationConfig], dest: Path, *, last: bool) -> None:
    """One page per slide: its first (or last) frame."""
    convert = converters()
    index = convert.FrameIndex.last if last else convert.FrameIndex.first
    convert.PDF(presentation_configs=configs, frame_index=index).convert_to(dest)


def convert_to_pptx(
    configs: list[PresentationConfig], dest: Path, *, width: int, height: int
) -> None:
    """One slide per video (auto-playing, with its notes), `width` x `height` pixels."""
    convert = converters()
    convert.PowerPoint(presentation_configs=configs, width=width, height=height).convert_to(dest)
