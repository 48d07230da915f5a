"""manim Community's internals the deck reaches into (see deck/compat/__init__.py)."""

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

LIBRARY, CHECKED = "manim", "0.21"


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


# manim 0.21's CairoRenderer skips an animation's frames only when its Scene is constructed
# with skip_animations=True; `config.skip_animations` alone still draws every frame of
# every play (the why-GQA scene built for its layout: 23.8 s drawing, 6.8 s without).
# Pass these to a scene that is only constructed (layout records, last frames).
CONSTRUCT_ONLY = {"skip_animations": True}


def set_x264_preset(preset: str) -> None:
    """Make manim encode its partial movie files with this x264 preset (this process)."""
    from manim.scene import scene_file_writer

    scene_file_writer.av = _AvWithPreset(preset)


# ── manim: a scene's frame drawn while it skips animations ──────────────
# manim 0.21's CairoRenderer draws nothing while the scene skips animations, unless
# `update_frame` is told `ignore_skipping=True`; `get_frame()` then returns the camera's
# pixels as an (h, w, 4) uint8 array.
def current_frame(scene) -> np.ndarray:
    """The pixels of what `scene` shows now, drawn even while it skips animations."""
    scene.renderer.update_frame(scene, ignore_skipping=True)
    return scene.renderer.get_frame()


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


# An ImageMobject keeps its opacity in the alpha channel of `pixel_array` (uint8), as built
# in `orig_alpha_pixel_array` (its own set_opacity scales that one).
PICTURE_ALPHA = "picture_alpha"


def part_state(part: Mobject) -> PartState:
    alphas = {
        name: rgbas[:, 3].copy()
        for name in OPACITY_ARRAYS
        if (rgbas := getattr(part, name, None)) is not None and len(rgbas)
    }
    if getattr(part, "orig_alpha_pixel_array", None) is not None:
        alphas[PICTURE_ALPHA] = part.pixel_array[:, :, 3].astype(float)
    return PartState(part.points.copy(), alphas)


def write_part(
    part: Mobject, points: np.ndarray, alphas: dict[str, np.ndarray], opacity: float = 1.0
) -> None:
    """Give `part` these points, and these alphas times `opacity`."""
    part.points = points
    for name, values in alphas.items():
        if name == PICTURE_ALPHA:
            part.pixel_array[:, :, 3] = (values * opacity).round().astype(part.pixel_array.dtype)
        else:
            getattr(part, name)[:, 3] = values * opacity


def picture_opacity(part: Mobject) -> float | None:
    """How opaque a picture (ImageMobject) is drawn, 0 to 1; None for any other part."""
    pixels = getattr(part, "pixel_array", None)
    if pixels is None or not hasattr(part, "orig_alpha_pixel_array"):
        return None
    return float(pixels[:, :, 3].max()) / 255


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


# ── manim: pictures (ImageMobject) drawn with Pillow 13 ───────────────────
# manim 0.21's Camera.display_image_mobject pastes each picture into
# `Image.fromarray(np.zeros((height, width)), mode="RGBA")`, through the module attribute
# `Image` of manim.camera.camera: Pillow 13 refuses a mode that does not match the array
# (float64, 2-D), so no ImageMobject can be drawn. Swapping that attribute for a wrapper
# makes that one call the transparent frame it meant, `Image.new("RGBA", (width, height))`.
class _PillowForCamera(types.ModuleType):
    """PIL.Image, except that `fromarray(<2-D array>, mode="RGBA")` is a transparent frame."""

    def __init__(self):
        super().__init__("PIL.Image")

    def __getattr__(self, name: str):
        from PIL import Image

        return getattr(Image, name)

    def fromarray(self, array, mode=None):
        from PIL import Image

        if mode == "RGBA" and getattr(array, "ndim", 0) == 2:
            height, width = array.shape
            return Image.new("RGBA", (width, height))
        return Image.fromarray(array) if mode is None else Image.fromarray(array, mode)


def draw_pictures() -> None:
    """Let manim's camera draw ImageMobjects with this Pillow (this process; idempotent)."""
    from manim.camera import camera

    if not isinstance(camera.Image, _PillowForCamera):
        camera.Image = _PillowForCamera()
