"""What deck/compat/ relies on in manim and manim-slides still holds.

Each failure names the library version to re-check: an upgrade that changes an internal
the deck reaches into must stop the build here, not make it silently slower or wrong.
"""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import av
import numpy as np
import pytest
from lxml import etree
from PIL import Image

from deck.build.encoding import X264_PRESET
from deck.compat import manim as manim_compat
from deck.compat import manim_slides as slides_compat
from deck.compat import pptx as pptx_compat
from deck.compat import pyside as pyside_compat
from deck.compat import typst as typst_compat

ROOT = Path(__file__).resolve().parents[1]
# The library each compat module reaches into → the minor version it was checked against.
CHECKED = {m.LIBRARY: m.CHECKED for m in (manim_compat, slides_compat, pptx_compat, typst_compat)}
SIZE = (64, 36)  # pixels: x264 needs even sides
RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)
QUIET = {"disable_caching": True, "progress_bar": "none", "verbosity": "ERROR"}  # manim config


def recheck(package: str) -> str:
    return (
        f"deck/compat/ was written against {package} {CHECKED[package]}.x: "
        f"re-check that reach for {package} {metadata.version(package)}"
    )


def write_video(path: Path, colours, preset: str | None = None, keyint: int | None = None) -> Path:
    """A tiny H.264 video with one solid-colour frame per colour (a keyframe at least
    every `keyint` frames, if given)."""
    options = {"crf": "23", **({"preset": preset} if preset else {})}
    options |= {"g": str(keyint)} if keyint else {}  # FFmpeg's name for x264's keyint
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=15, options=options)
        stream.width, stream.height, stream.pix_fmt = *SIZE, "yuv420p"
        for colour in colours:
            image = np.zeros((SIZE[1], SIZE[0], 3), np.uint8)
            image[:] = colour
            container.mux(stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")))
        container.mux(stream.encode())
    return path


def x264_options(path: Path) -> dict[str, str]:
    """The encoder settings x264 writes into the stream (its SEI 'options:' string)."""
    found = re.search(rb"x264 - core .*? options: ([ -~]+)", path.read_bytes())
    assert found, f"{path} carries no x264 settings string"
    return dict(item.split("=", 1) for item in found[1].decode().split())


# ── the pins ─────────────────────────────────────────────────────────────
@pytest.mark.parametrize("package", list(CHECKED))
def test_installed_versions_are_the_checked_ones(package):
    installed = metadata.version(package)
    assert installed.startswith(CHECKED[package] + "."), (
        f"{package} {installed} is installed, deck/compat/ was checked against "
        f"{CHECKED[package]}.x: run tests/test_compat.py, re-check each reach for "
        f"{package}, then update CHECKED"
    )


@pytest.mark.parametrize("package", list(CHECKED))
def test_pyproject_pins_the_checked_minor_version(package):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = [d.replace(" ", "") for d in project["dependencies"]]
    assert any(d.startswith(f"{package}>={CHECKED[package]},<") for d in specs), (
        f"pyproject.toml no longer pins {package} to {CHECKED[package]}.x: "
        "re-check deck/compat/ and update CHECKED with the pin"
    )


# ── manim: the x264 preset ───────────────────────────────────────────────
def test_manim_opens_its_partial_movies_through_the_av_module_attribute():
    from manim.scene import scene_file_writer

    # (an earlier render in this process may have swapped the attribute already)
    assert "\nimport av\n" in inspect.getsource(scene_file_writer), recheck("manim")
    source = inspect.getsource(scene_file_writer.SceneFileWriter.open_partial_movie_stream)
    for call in ('"libx264"', "av.open(", ".add_stream(", "options="):
        assert call in source, f"open_partial_movie_stream has no {call}: " + recheck("manim")


def test_partial_movies_are_encoded_with_the_fast_preset(tmp_path, monkeypatch):
    from manim import Scene, Square, tempconfig
    from manim.scene import scene_file_writer

    monkeypatch.setattr(scene_file_writer, "av", scene_file_writer.av)  # restored after
    manim_compat.set_x264_preset(X264_PRESET)

    class TwoFrames(Scene):
        def construct(self):
            self.add(Square())
            self.wait(2 / 15)

    options = {"pixel_width": SIZE[0], "pixel_height": SIZE[1], "frame_rate": 15}
    with tempconfig({**QUIET, **options, "media_dir": str(tmp_path / "media")}):
        scene = TwoFrames()
        scene.render()
        movie = Path(scene.renderer.file_writer.movie_file_path)
    rendered = x264_options(movie)

    fast = x264_options(write_video(tmp_path / "fast.mp4", [RED, BLUE], X264_PRESET))
    default = x264_options(write_video(tmp_path / "default.mp4", [RED, BLUE]))
    telling = sorted(k for k in fast if fast[k] != default.get(k))
    assert telling, f"x264 presets {X264_PRESET} and medium no longer differ"
    assert {k: rendered.get(k) for k in telling} == {k: fast[k] for k in telling}, (
        f"manim's partial movies are not encoded with preset {X264_PRESET}: " + recheck("manim")
    )
    assert rendered["crf"] == "23.0", "manim's CRF changed: " + recheck("manim")


# ── manim: points and opacities written in place ─────────────────────────
def centre_pixel(*mobjects) -> tuple[int, ...]:
    from manim import Camera, tempconfig

    with tempconfig({"pixel_width": SIZE[0], "pixel_height": SIZE[1]}):
        camera = Camera()
        camera.capture_mobjects(list(mobjects))
        return tuple(int(c) for c in camera.pixel_array[SIZE[1] // 2, SIZE[0] // 2][:3])


def test_vmobject_parts_keep_points_and_rgba_arrays():
    from manim import Square, Text

    for part in [Square(fill_opacity=1), *Text("Ag").family_members_with_points()]:
        assert isinstance(part.points, np.ndarray) and part.points.shape[1:] == (3,), recheck(
            "manim"
        )
        for name in manim_compat.OPACITY_ARRAYS:
            rgbas = getattr(part, name, None)
            assert isinstance(rgbas, np.ndarray) and rgbas.ndim == 2, f"{name}: " + recheck("manim")
            assert rgbas.shape[1] == 4, f"{name} is not RGBA: " + recheck("manim")


def test_written_points_and_opacities_are_what_the_camera_draws():
    from manim import RED as MANIM_RED
    from manim import Square

    square = Square(side_length=4, color=MANIM_RED, fill_opacity=1)
    shown = centre_pixel(square)
    empty = centre_pixel()
    assert shown != empty
    points, alphas = manim_compat.part_state(square)
    assert set(alphas) == set(manim_compat.OPACITY_ARRAYS)

    manim_compat.write_part(square, points, alphas, opacity=0.0)
    assert centre_pixel(square) == empty, "a zero alpha still draws: " + recheck("manim")
    manim_compat.write_part(square, points + np.array([10.0, 0.0, 0.0]), alphas)
    assert centre_pixel(square) == empty, "moved points are not drawn there: " + recheck("manim")
    manim_compat.write_part(square, points, alphas)
    assert centre_pixel(square) == shown


# ── manim-slides: a Slide's records ──────────────────────────────────────
def test_slide_records_notes_where_compat_reads_them(tmp_path):
    from manim import FadeIn, FadeOut, Square, tempconfig
    from manim_slides import Slide

    class TwoSlides(Slide):
        def construct(self):
            square = Square()
            self.next_slide(notes="first")
            self.play(FadeIn(square))
            self.next_slide(notes="second")
            self.play(FadeOut(square))

    with tempconfig({**QUIET, "skip_animations": True, "media_dir": str(tmp_path)}):
        scene = TwoSlides()
        scene.setup()
        scene.construct()
    assert hasattr(scene, "_slides") and hasattr(scene, "_base_slide_config"), recheck(
        "manim-slides"
    )
    assert slides_compat.recorded_slide_notes(scene) == ["first", "second"], recheck("manim-slides")


# ── manim-slides: its slide configs and converters ───────────────────────
def rendered_config(root: Path, notes: str = "") -> Path:
    """A slides folder as manim-slides writes it: one scene, one slide, a red→blue video."""
    (root / "files" / "S").mkdir(parents=True)
    write_video(root / "files" / "S" / "a.mp4", [RED, BLUE])
    config = {
        "slides": [{"file": "files/S/a.mp4", "rev_file": "files/S/a.mp4", "notes": notes}],
        "resolution": list(SIZE),
        "background_color": "#101218",
    }
    (root / "slides").mkdir()
    (root / "slides" / "S.json").write_text(json.dumps(config))
    return root / "slides" / "S.json"


def test_slide_configs_resolve_videos_as_compat_does(tmp_path):
    from pydantic import ValidationError

    config_file = rendered_config(tmp_path, notes="hello")
    presentation = slides_compat.load_presentation(config_file)
    slide = presentation.slides[0]
    assert slide.file == slides_compat.slide_video(config_file, "files/S/a.mp4"), recheck(
        "manim-slides"
    )
    # what the exporter reads from a config
    assert (slide.notes, slide.loop, slide.auto_next) == ("hello", False, False)
    assert presentation.background_color.as_hex() == "#101218"
    assert tuple(presentation.resolution) == SIZE

    config_file.write_text(json.dumps({"slides": []}))
    with pytest.raises(ValidationError):  # what deck/export/videos.py turns into one line
        slides_compat.load_presentation(config_file)


def test_slide_configs_made_portable_survive_a_move(tmp_path):
    from manim import FadeIn, Square, tempconfig
    from manim_slides import Slide

    cached = write_video(tmp_path / "cached.mp4", [RED, BLUE])

    class Two(Slide):
        skip_reversing = True

        def construct(self):
            self.next_slide(notes="rendered")
            self.play(FadeIn(Square()), run_time=2 / 15)
            self.next_slide(notes="copied", src=cached)  # as the slide cache reuses a video

    build = tmp_path / "build"
    options = {"pixel_width": SIZE[0], "pixel_height": SIZE[1], "frame_rate": 15}
    with tempconfig({**QUIET, **options, "media_dir": str(build / "media")}):
        Two(output_folder=build / "slides").render()
    config_file = build / "slides" / "Two.json"
    raw = json.loads(config_file.read_text())
    files = [Path(slide["file"]) for slide in raw["slides"]]
    assert [f.parent for f in files] == [build / "slides" / "files" / "Two"] * 2, recheck(
        "manim-slides"
    )
    assert raw["slides"][1]["src"] == str(cached), recheck("manim-slides")

    assert slides_compat.make_portable(raw, config_file)
    assert [s["file"] for s in raw["slides"]] == [f"slides/files/Two/{f.name}" for f in files]
    assert [s["src"] for s in raw["slides"]] == [None, None]
    config_file.write_text(json.dumps(raw))
    assert not slides_compat.make_portable(raw, config_file)  # nothing left to change
    cached.unlink()  # the cache may go: the slide has its own copy
    moved = build.rename(tmp_path / "moved")
    loaded = slides_compat.load_presentation(moved / "slides" / "Two.json")
    assert [s.file for s in loaded.slides] == [moved / "slides/files/Two" / f.name for f in files]

    # a config written before the move names the old folder: the same videos, here
    old = {"slides": [{"file": str(files[0]), "rev_file": str(files[0])}]}
    assert slides_compat.make_portable(old, moved / "slides" / "Two.json")
    assert old["slides"][0]["file"] == f"slides/files/Two/{files[0].name}"


def test_a_missing_src_fails_validation(tmp_path):
    config_file = rendered_config(tmp_path)
    raw = json.loads(config_file.read_text())
    raw["slides"][0]["src"] = str(tmp_path / "gone.mp4")
    config_file.write_text(json.dumps(raw))
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="src"):  # why make_portable drops it
        slides_compat.load_presentation(config_file)


# ── manim: its cached text and formula SVGs ──────────────────────────────
def test_unreadable_cached_svgs_are_made_again(tmp_path, monkeypatch):
    from manim import MarkupText, MathTypst, Text, tempconfig
    from manim.mobject.svg import svg_mobject

    manim_compat.guard_svg_caches()
    manim_compat.guard_svg_caches()  # idempotent
    makers = [lambda: Text("cached"), lambda: MarkupText("<b>cached</b>"), lambda: MathTypst("x^2")]
    with tempconfig({**QUIET, "media_dir": str(tmp_path)}):
        first = [len(make().family_members_with_points()) for make in makers]
        svgs = sorted(tmp_path.rglob("*.svg"))
        assert len(svgs) == len(makers), recheck("manim")
        svgs[0].write_bytes(b"")
        svgs[1].write_bytes(svgs[1].read_bytes()[:60])
        svgs[2].write_bytes(b"<svg")
        # as in a new process: no parsed SVG kept in memory (a formula's is, by file name)
        monkeypatch.setattr(svg_mobject, "SVG_HASH_TO_MOB_MAP", {})
        again = [len(make().family_members_with_points()) for make in makers]
    assert again == first, "an unreadable cached SVG was used: " + recheck("manim")
    assert all(svg.stat().st_size > 60 for svg in svgs)


def test_first_and_last_frames_are_read_across_keyframes(tmp_path):
    """deck/export/videos.py seeks to the last keyframe for the last frame (PyAV)."""
    from deck.export.videos import first_frame, last_frame

    colours = [RED] * 3 + [BLUE] * 40 + [GREEN]  # six keyframes: the seek skips five
    video = write_video(tmp_path / "gops.mp4", colours, keyint=8)
    first = first_frame(video).convert("RGB").getpixel((32, 18))
    last = last_frame(video).convert("RGB").getpixel((32, 18))
    assert first[0] > 200 > first[2], first
    assert last[1] > 200 > last[0], last


# ── python-pptx: the movie's timing node ─────────────────────────────────
def test_added_movie_autoplays_and_loops_where_compat_says(tmp_path):
    from pptx import Presentation
    from pptx.util import Emu

    video = write_video(tmp_path / "a.mp4", [RED, BLUE])
    Image.new("RGB", SIZE, RED).save(tmp_path / "poster.png")
    deck = Presentation()
    movies = []
    for _ in range(2):
        slide = deck.slides.add_slide(deck.slide_layouts[6])
        movies.append(
            slide.shapes.add_movie(
                str(video), 0, 0, Emu(640), Emu(360), str(tmp_path / "poster.png"), "video/mp4"
            )
        )
    pptx_compat.autoplay_movie(movies[0], loop=False)
    pptx_compat.autoplay_movie(movies[1], loop=True)
    for movie, loops in zip(movies, (False, True), strict=True):
        xml = etree.tostring(movie._element.getroottree().getroot()).decode()
        assert '<p:cond delay="0"/>' in xml, "the movie waits for a click: " + recheck(
            "python-pptx"
        )
        assert ('repeatCount="indefinite"' in xml) == loops


# ── manim-slides: the presenter's command and key bindings ───────────────
def test_presenter_keys_are_written_as_the_player_reads_them(tmp_path):
    from qtpy.QtCore import Qt

    path = tmp_path / "keys.toml"
    slides_compat.write_presenter_keys(path, {"NEXT": ("PageDown",), "PREVIOUS": ("PageUp",)})
    keys = slides_compat.presenter_keys(path)
    assert keys["NEXT"] == {Qt.Key.Key_Right, Qt.Key.Key_PageDown}, recheck("manim-slides")
    assert keys["PREVIOUS"] == {Qt.Key.Key_Left, Qt.Key.Key_PageUp}
    assert keys["QUIT"] == {Qt.Key.Key_Q}  # the other defaults stay


def test_present_command_takes_the_options_deck_passes():
    from manim_slides.present import present

    options = {o for p in present.params for o in p.opts}
    assert {"--config", "--folder", "--start-at-slide-number", "--show-info-window"} <= options, (
        recheck("manim-slides")
    )


def test_the_player_has_what_stage_player_patches():
    """stage_player replaces Info.__init__, Player.preview_next_slide and Player.show, and
    uses these of their attributes (read from the source: building them needs a screen)."""
    import inspect

    from manim_slides.present.player import Info, Player

    info = inspect.getsource(Info.__init__)
    for name in (
        "slide_notes",
        "next_image_label",
        "next_video_widget",
        "next_media_player",
        "main_video_widget",
    ):
        assert f"self.{name} =" in info, recheck("manim-slides")
    assert '"Current slide"' in info, recheck("manim-slides")
    player = inspect.getsource(Player)
    for name in (
        "self.image_label =",
        "self.info =",
        "self.hide_info_window =",
        "def preview_next_slide(",
        "def show(",
        "def next_slide_config(",
    ):
        assert name in player, recheck("manim-slides")
    assert list(inspect.signature(Player.show).parameters) == ["self", "screens"]


# ── PySide6: the FFmpeg inside Qt Multimedia ─────────────────────────────
def test_qt_ffmpeg_log_level_can_be_lowered():
    """In a child process (the library stays loaded): the level Qt's FFmpeg logs at."""
    code = (
        "import ctypes, os\n"
        "from deck.compat import pyside as pyside_compat\n"
        "assert pyside_compat.quiet_qt_ffmpeg()\n"
        "lib = ctypes.CDLL(str(pyside_compat.qt_ffmpeg_library()), mode=os.RTLD_LAZY)\n"
        "print(lib.av_log_get_level())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    pyside = metadata.version("PySide6-Essentials")
    assert done.returncode == 0, f"{done.stderr[-1500:]}\nre-check the reach for PySide6 {pyside}"
    assert int(done.stdout) == pyside_compat.FFMPEG_LOG_WARNING


def test_a_skipping_scene_draws_its_frame_when_asked(tmp_path):
    from manim import BLUE as MANIM_BLUE
    from manim import Scene, Square, tempconfig

    low = {"pixel_height": 36, "pixel_width": 64}
    with tempconfig({**QUIET, **low, "media_dir": str(tmp_path)}):
        scene = Scene(**manim_compat.CONSTRUCT_ONLY)
        scene.add(Square(side_length=20).set_fill(MANIM_BLUE, 1).set_stroke(width=0))
        frame = manim_compat.current_frame(scene)
    assert frame.shape == (36, 64, 4), recheck("manim")
    assert tuple(frame[18, 32, :3]) != (0, 0, 0), recheck("manim")  # the square, drawn


def test_only_the_constructor_flag_skips_drawing(tmp_path, monkeypatch):
    """CONSTRUCT_ONLY is what keeps layout and still construction from drawing frames."""
    from manim import FadeIn, Scene, Square, config, tempconfig
    from manim.camera.camera import Camera

    drawn = []
    original = Camera.capture_mobjects
    monkeypatch.setattr(
        Camera, "capture_mobjects", lambda self, *a, **k: drawn.append(1) or original(self, *a, **k)
    )

    class OnePlay(Scene):
        def construct(self):
            self.play(FadeIn(Square()), run_time=0.5)

    low = {"pixel_height": 270, "pixel_width": 480, "frame_rate": 15}
    options = {**QUIET, **low, "skip_animations": True, "media_dir": str(tmp_path)}
    with tempconfig(options):
        OnePlay(**manim_compat.CONSTRUCT_ONLY).construct()
        skipped = len(drawn)
        OnePlay().construct()
        frames = 0.5 * config.frame_rate
    assert skipped <= 1, recheck("manim")  # at most the play's final state
    assert len(drawn) - skipped >= frames, "config.skip_animations now skips: drop CONSTRUCT_ONLY"
