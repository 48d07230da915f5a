"""Every place the deck reaches into manim's or manim-slides' internals.

Checked against the versions pyproject.toml pins:
- manim 0.21.x (Community): `scene_file_writer`, VMobject's colour arrays and the SVG
  cache of Text, MarkupText and Typst;
- manim-slides 5.7.x: the private slide records of `Slide`, `manim_slides.config` and
  the `present` command (its documented Python API is `Slide` and `ThreeDSlide` only,
  docs/source/reference/api.md; the config models and the command behind
  `manim-slides present` are internals; the exports no longer use its converters);
- typst 0.15.x: the SVG the formula components read (deck/components/formula.py);
- python-pptx 1.0.x: the timing XML of a movie it adds (deck/export/pptx.py);
- PySide6's bundled FFmpeg: its log level (the presenter's terminal, deck/present.py).

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

# The minor versions every reach here was checked against (package name → "major.minor").
CHECKED = {"manim": "0.21", "manim-slides": "5.7", "typst": "0.15", "python-pptx": "1.0"}


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


# ── python-pptx: a movie that starts by itself ──────────────────────────
# python-pptx 1.0's `shapes.add_movie` writes the slide's <p:timing> with one <p:video>
# node whose <p:cMediaNode> targets the movie's shape id and starts on a click
# (<p:cond delay="indefinite"/>). Delay 0 starts it as the slide appears; repeatCount
# "indefinite" on its <p:cTn> loops it (what manim-slides 5.7's PowerPoint export does).
PRESENTATIONML = {"p": "http://schemas.openxmlformats.org/presentationml/2006/main"}


def autoplay_movie(movie, *, loop: bool) -> None:
    """Make a python-pptx Movie play when its slide appears (and loop if `loop`)."""
    from lxml import etree

    def find(element, path: str) -> list:  # lxml's own xpath, with the namespace given
        return etree._Element.xpath(element, path, namespaces=PRESENTATIONML)

    slide = movie._element.getroottree().getroot()
    target = f'p:tgtEl/p:spTgt/@spid="{movie.shape_id}"'
    (node,) = find(slide, f".//p:timing//p:video/p:cMediaNode[{target}]")
    (start,) = find(node, "./p:cTn/p:stCondLst/p:cond")
    start.set("delay", "0")
    if loop:
        find(node, "./p:cTn")[0].set("repeatCount", "indefinite")


# ── manim-slides: the live presenter ─────────────────────────────────────
# manim-slides 5.7's `manim_slides.present.present` is the click command behind
# `manim-slides present`. Called directly it skips the command group, which asks PyPI for
# a newer release at every start (2 s without a network). Its key bindings are
# `manim_slides.config.Config` (a pydantic model: `keys.<ACTION>.ids`, Qt key codes from
# `key_id("PageDown")`), read from the TOML file given by `--config`.
def run_presenter(args: list[str]) -> None:
    """`manim-slides present ARGS` in this process (exits when the player closes)."""
    from manim_slides.present import present

    present.main(args=args, prog_name="manim-slides present")


def write_presenter_keys(path: Path, extra: dict[str, tuple[str, ...]]) -> None:
    """A presenter config with the default keys plus `extra` Qt key names per action
    (e.g. {"NEXT": ("PageDown",)})."""
    from manim_slides.config import Config, key_id

    config = Config()
    for action, names in extra.items():
        key = getattr(config.keys, action)
        # plain ints: PySide6's enum members do not serialise to TOML
        key.set_ids(*key.ids, *(int(getattr(k, "value", k)) for k in map(key_id, names)))
    config.to_file(path)


def presenter_keys(path: Path) -> dict[str, set[int]]:
    """The Qt key codes of each action in a presenter config, as the player reads it."""
    from manim_slides.config import Config

    return {action: set(key.ids) for action, key in Config.from_file(path).keys}


# ── PySide6: the FFmpeg inside Qt Multimedia ─────────────────────────────
# PySide6 6.x wheels bundle FFmpeg for Qt Multimedia (Linux: Qt/lib/libavutil.so.<major>),
# and Qt leaves its log level at FFmpeg's default, "info", at which opening a video
# prints the stream information (av_dump_format, ~10 lines per slide) to stderr. Loading
# the library first, lazily as Qt's plugin loader does (its OpenSSL symbols come from a
# stub and resolve on use), lets us set the level; Qt's plugin then finds it loaded under
# the same soname and shares it.
FFMPEG_LOG_WARNING = 24  # AV_LOG_WARNING, libavutil/log.h: warnings and errors still show


def qt_ffmpeg_library() -> Path | None:
    """PySide6's own libavutil, or None where the wheel has none (another platform)."""
    import PySide6

    found = sorted((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libavutil.so.*"))
    return min(found, key=lambda p: len(p.name)) if found else None  # the soname


def quiet_qt_ffmpeg() -> bool:
    """Keep Qt's FFmpeg to warnings and errors (this process); False if not found."""
    import ctypes
    import os

    library = qt_ffmpeg_library()
    if library is None:
        return False
    ctypes.CDLL(str(library), mode=os.RTLD_LAZY).av_log_set_level(FFMPEG_LOG_WARNING)
    return True
