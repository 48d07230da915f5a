"""Every place the deck reaches into manim's or manim-slides' internals.

Checked against the versions pyproject.toml pins:
- manim 0.21.x (Community): `scene_file_writer`, VMobject's colour arrays and the SVG
  cache of Text, MarkupText and Typst;
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
from xml.etree import ElementTree

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


# ── manim: the SVG files it caches for Text, MarkupText and Typst ─────────
# manim 0.21's Text._text2svg and MarkupText._text2svg return the path of an SVG under
# config.get_dir("text_dir"), named by a hash of the text and its style, and write it
# only when no file of that name exists; manimpango then rewrites it in place
# (remove_last_M). TypstMobject gets its SVG from typst_to_svg_file, imported by name
# into manim.mobject.text.typst_mobject, which trusts any file under tex_dir the same
# way. A file left empty or cut short (a build killed while writing it) would make every
# later render fail with an XML ParseError naming no file. The guard parses the SVG each
# returns and, if it is not well-formed, deletes it and asks again, which writes it anew.
def _well_formed(svg: str | Path) -> bool:
    try:
        ElementTree.parse(svg)
    except (ElementTree.ParseError, OSError):
        return False
    return True


def _remade_if_unreadable(make_svg):
    @functools.wraps(make_svg)
    def guarded(*args, **kwargs):
        svg = make_svg(*args, **kwargs)
        if not _well_formed(svg):
            Path(svg).unlink(missing_ok=True)
            svg = make_svg(*args, **kwargs)
        return svg

    guarded.guards_svg_cache = True
    return guarded


def guard_svg_caches() -> None:
    """Make an unreadable cached text or formula SVG a cache miss (this process)."""
    from manim.mobject.text import text_mobject, typst_mobject

    for cls in (text_mobject.Text, text_mobject.MarkupText):
        if not getattr(cls._text2svg, "guards_svg_cache", False):
            cls._text2svg = _remade_if_unreadable(cls._text2svg)
    if not getattr(typst_mobject.typst_to_svg_file, "guards_svg_cache", False):
        typst_mobject.typst_to_svg_file = _remade_if_unreadable(typst_mobject.typst_to_svg_file)


# ── manim-slides: what a Slide has recorded ──────────────────────────────
# manim-slides 5.7's Slide keeps the slides closed so far in `_slides` and the open one's
# options in `_base_slide_config`, both with `.notes`; the open slide is closed only when
# the scene is saved, so a scene that was constructed but not rendered still holds it.
def recorded_slide_notes(scene) -> list[str]:
    """The notes of every slide `scene` has recorded, the still-open last one included."""
    return [s.notes for s in scene._slides] + [scene._base_slide_config.notes]


# ── manim-slides: reading a rendered deck ────────────────────────────────
# manim-slides 5.7 writes `<folder>/<Scene>.json` with each slide's `file` and `rev_file`
# as `<folder>/files/<Scene>/<name>.mp4` (absolute when the folder it was given is), and
# `src`, the video a slide was copied from, as given. PresentationConfig.from_file
# resolves relative paths against the folder's parent and validates the rest (pydantic,
# raising ValidationError), `src` included: it must still exist.
SLIDE_VIDEO_FIELDS = ("file", "rev_file")


def slide_video(config_file: Path, file: str) -> Path:
    """A video path from a slide config, resolved as PresentationConfig.from_file does."""
    return Path(config_file).parent.parent / file


def make_portable(raw: dict, config_file: Path) -> bool:
    """Rewrite the slide config `raw`, read from `config_file`, so that it still holds
    once the project is moved: video paths relative to the config's folder's parent
    (what from_file resolves them against), and no `src` (the slide's own copy is its
    `file`). A path into another folder (the project before it moved) is taken to be the
    same video in this one. Return whether anything changed."""
    folder = Path(config_file).parent
    changed = False
    for slide in raw.get("slides", []) if isinstance(raw.get("slides"), list) else []:
        if not isinstance(slide, dict):
            continue
        if slide.get("src") is not None:
            slide["src"], changed = None, True
        for field in SLIDE_VIDEO_FIELDS:
            value = slide.get(field)
            if isinstance(value, str) and Path(value).is_absolute():
                path = Path(value)
                if path.is_relative_to(folder.parent):
                    relative = path.relative_to(folder.parent)
                else:
                    relative = Path(folder.name, "files", Path(config_file).stem, path.name)
                slide[field], changed = relative.as_posix(), True
    return changed


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
