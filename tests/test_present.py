"""The live Qt presenter (`manim-slides present`, what `deck present` runs).

The real command runs in a subprocess on Qt's offscreen platform (no display or X server
needed); a timer inside that process finds the player window and sends it key presses
with QTest, exactly as a keyboard would, and logs what the player shows after each.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from deck import cli
from deck.commands import doctor
from deck.commands import present as present_command
from deck.commands.doctor import Finding
from deck.content.model import DEFAULT_PRESET
from deck.export.videos import last_frame, slide_files
from deck.project import THIS_PROJECT
from deck.talk import Talk

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 180

# The end of each driver's `tick` (one step of the plan done) and the timer that calls it
# every 50 ms; the driver then starts the player, which runs Qt's event loop.
DRIVER_LOOP = r"""
    state["step"] += 1
    state["since"] = time.monotonic()
    if state["step"] == len(plan):
        timer.stop()

timer = QTimer()
timer.timeout.connect(tick)
timer.start(50)
"""

# Runs `manim-slides present ARGS...` in-process and drives it:
# every slide (→), one step back (←), then Q. One JSON line per observation on stdout.
DRIVER = (
    r"""
import json, sys, time
from qtpy.QtCore import Qt, QTimer
from qtpy.QtMultimedia import QMediaPlayer
from qtpy.QtTest import QTest
from qtpy.QtWidgets import QApplication
from manim_slides.qt_utils import qapp
from manim_slides.present import present
from manim_slides.present.player import Player

total = int(sys.argv[1])
app = qapp()
start = time.monotonic()
plan = ["play"] + ["right", "play"] * (total - 1) + ["right", "left", "play", "quit"]
state = {"step": 0, "since": time.monotonic()}

def emit(**record):
    print(json.dumps(record), flush=True)

def player():
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, Player)), None)

def where(p):
    return [p.current_presentation_index, p.current_slide_index]

def tick():
    p = player()
    if time.monotonic() - state["since"] > 30:
        emit(event="stuck", step=plan[state["step"]], at=p and where(p))
        app.exit(3)
        return
    if p is None or not p.isVisible():
        return
    action = plan[state["step"]]
    if action == "play":
        # the slide's video has started: position moved, or it already ended
        media = p.media_player
        if media.position() <= 0 and media.mediaStatus() != QMediaPlayer.MediaStatus.EndOfMedia:
            return
        emit(event="playing", at=where(p), position_ms=media.position(),
             notes=p.info.slide_notes.text(), t=round(time.monotonic() - start, 2))
    else:
        key = {"right": Qt.Key.Key_Right, "left": Qt.Key.Key_Left, "quit": Qt.Key.Key_Q}[action]
        before = where(p)
        QTest.keyClick(p, key)
        emit(event=action, before=before, after=where(p), visible=p.isVisible())
"""
    + DRIVER_LOOP
    + 'present.main(args=sys.argv[2:], prog_name="manim-slides present")\n'
)


def _deck_slides() -> tuple[Path, list[str]]:
    from deck.scenes import SCENE_NAMES

    built = THIS_PROJECT.build(Talk.for_preset(DEFAULT_PRESET), "low")
    folder = Path(os.environ.get("GQA_DECK_SLIDES", built.slides))
    scenes = os.environ.get("GQA_DECK_SCENES", ",".join(SCENE_NAMES)).split(",")
    return folder, scenes


@pytest.fixture(scope="module")
def deck_slides() -> tuple[Path, list[str], int]:
    folder, scenes = _deck_slides()
    missing = [s for s in scenes if not (folder / f"{s}.json").is_file()]
    if missing:
        pytest.fail(
            f"no rendered slides for {', '.join(missing)} in {folder}: "
            "run `uv run deck build --quality low` first",
            pytrace=False,
        )
    total = sum(len(json.loads((folder / f"{s}.json").read_text())["slides"]) for s in scenes)
    return folder, scenes, total


def test_presenter_walks_the_deck_and_quits_with_q(deck_slides, tmp_path):
    folder, scenes, total = deck_slides
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_LOGGING_RULES": "*.debug=false"}
    started = time.perf_counter()
    # cwd: a folder without .manim-slides.toml, so the default key bindings apply.
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, str(total), *scenes, "--folder", str(folder.resolve())],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    took = time.perf_counter() - started
    log = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    detail = f"\nstdout tail: {done.stdout[-1500:]}\nstderr tail: {done.stderr[-1500:]}"
    assert done.returncode == 0, f"exit code {done.returncode}{detail}"
    assert "Traceback" not in done.stderr, detail

    # Every slide of every scene, in order, played; → advanced, ← went back, Q closed.
    order = [[p, s] for p, s in _slide_positions(folder, scenes)]
    played = [r["at"] for r in log if r["event"] == "playing"]
    assert played == [*order, order[-2]], detail
    notes = [r["notes"] for r in log if r["event"] == "playing"][:total]
    assert notes == _slide_notes(folder, scenes)  # the notes window follows the slides
    rights = [r for r in log if r["event"] == "right"]
    assert [r["after"] for r in rights[:-1]] == order[1:]
    assert rights[-1]["after"] == order[-1]  # → on the last slide stays there
    (left,) = [r for r in log if r["event"] == "left"]
    assert left["after"] == order[-2]
    (quit_,) = [r for r in log if r["event"] == "quit"]
    assert quit_["visible"] is False
    print(
        f"\npresent: {total} slides in {len(scenes)} scenes walked and quit with Q "
        f"in {took:.1f} s (exit code 0)"
    )


def _slide_positions(folder: Path, scenes: list[str]) -> list[tuple[int, int]]:
    return [
        (p, s)
        for p, scene in enumerate(scenes)
        for s in range(len(json.loads((folder / f"{scene}.json").read_text())["slides"]))
    ]


def _slide_notes(folder: Path, scenes: list[str]) -> list[str]:
    return [
        slide["notes"]
        for scene in scenes
        for slide in json.loads((folder / f"{scene}.json").read_text())["slides"]
    ]


# ── a missing Qt library: doctor's one-line fix, no traceback ───────────
def test_missing_qt_library_is_reported_by_doctor(monkeypatch):
    monkeypatch.setattr(doctor, "QT_LIBS", {"libgqa-absent.so.0": "libgqa-absent0"})
    finding = doctor.check_qt()
    assert not finding.ok
    assert finding.fix == "apt-get install --no-install-recommends libgqa-absent0"
    with pytest.raises(doctor.MissingDependency, match=r"qt: apt-get install .*libgqa-absent0"):
        doctor.require(["qt"])


def test_deck_present_checks_qt_before_starting(monkeypatch, capsys):
    monkeypatch.setitem(
        doctor.CHECKS, "qt", lambda: Finding("qt", False, doctor.apt("libxcb-cursor0"))
    )

    def must_not_run(*args, **kwargs):
        raise AssertionError("the presenter started although Qt is missing")

    monkeypatch.setattr(present_command.subprocess, "call", must_not_run)
    monkeypatch.setattr("deck.build.render.render_scenes", must_not_run)

    assert cli.main(["present", "--quality", "low"]) == 1
    err = capsys.readouterr().err
    assert err == "deck: missing qt: apt-get install --no-install-recommends libxcb-cursor0\n"


# ── `deck present`: one presentation, clicker keys, a quiet terminal ────
# Runs what `deck present` runs (deck.commands.player.main with the prepared folder and keys) and
# drives it: each step is a key press (or "look"), logged with what the info window shows.
DECK_DRIVER = (
    r"""
import json, os, sys, time
from qtpy.QtCore import Qt, QTimer
from qtpy.QtTest import QTest
from qtpy.QtWidgets import QApplication
from manim_slides.qt_utils import qapp
from manim_slides.present.player import Player
from deck.commands import player as deck_player

app = qapp()
keys = {"pagedown": Qt.Key.Key_PageDown, "pageup": Qt.Key.Key_PageUp, "quit": Qt.Key.Key_Q}
plan = sys.argv[1].split(",")
state = {"step": 0, "since": time.monotonic()}

def player():
    return next((w for w in QApplication.topLevelWidgets() if isinstance(w, Player)), None)

def shown_next(p):  # the info window's "next slide" still, saved as NEXT_SHOTS-<step>.png
    if not p.info.next_image_label.isVisible():
        return False
    return p.info.next_image_label.pixmap().toImage().save(
        f"{os.environ['NEXT_SHOTS']}-{state['step']}.png")

def tick():
    p = player()
    if time.monotonic() - state["since"] > 30:
        print(json.dumps({"event": "stuck", "step": plan[state["step"]]}), flush=True)
        app.exit(3)
        return
    if p is None or not p.isVisible():
        return
    action = plan[state["step"]]
    if action != "look":
        QTest.keyClick(p, keys[action])
    print(json.dumps({
        "event": action,
        "at": [p.current_presentation_index, p.current_slide_index],
        "slide": p.info.slide_label.text().strip(),
        "scene": p.info.scene_label.text().strip(),
        "notes": p.info.slide_notes.text(),
        "visible": p.isVisible(),
        "notes_px": p.info.slide_notes.fontInfo().pixelSize(),
        "windows": [[g.x(), g.y(), g.width(), g.height()]
                    for g in (p.frameGeometry(), p.info.frameGeometry())],
        "screen": [p.screen().availableGeometry().width(), p.screen().availableGeometry().height()],
        "next_video": p.info.next_video_widget.isVisible(),
        "next_still": shown_next(p),
    }), flush=True)
"""
    + DRIVER_LOOP
    + "deck_player.main(sys.argv[2:])\n"
)


def test_deck_present_pages_with_clicker_keys_counting_the_whole_deck(deck_slides, tmp_path):
    from deck.commands import player

    folder, scenes, total = deck_slides
    prepared = player.prepare(folder, scenes, tmp_path / "present")
    cmd = player.command(prepared, start_at=3)
    assert cmd[:3] == [sys.executable, "-m", "deck.commands.player"]
    shots = tmp_path / "next"  # the driver saves the info window's "next slide" here
    env = {**player.environment(), "QT_QPA_PLATFORM": "offscreen", "NEXT_SHOTS": str(shots)}
    plan = "look,pagedown,pagedown,pageup,quit"
    done = subprocess.run(
        [sys.executable, "-c", DECK_DRIVER, plan, *cmd[3:], "--show-info-window"],
        cwd=tmp_path,  # no .manim-slides.toml here: the keys come from --config
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    detail = f"\nstdout tail: {done.stdout[-1500:]}\nstderr tail: {done.stderr[-1500:]}"
    assert done.returncode == 0, f"exit code {done.returncode}{detail}"
    log = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert [r["event"] for r in log] == plan.split(","), detail

    # One presentation: the info window counts the deck's slides, as the frames do.
    notes = _slide_notes(folder, scenes)
    look, down, down2, up, quit_ = log
    assert look["at"] == [0, 2] and look["slide"] == f"3/{total}"  # --start-at 3
    assert look["scene"] == "1/1" and look["notes"] == notes[2]
    assert (down["at"], down["slide"]) == ([0, 3], f"4/{total}")  # Page Down: next
    assert (down2["at"], down2["slide"]) == ([0, 4], f"5/{total}")
    assert (up["at"], up["slide"], up["notes"]) == ([0, 3], f"4/{total}", notes[3])  # Page Up
    assert quit_["visible"] is False

    # A quiet terminal: no FFmpeg stream information, no Qt multimedia chatter.
    err = done.stderr.splitlines()
    assert not [line for line in err if re.match(r"\s*(Input #|Stream #|Duration:)", line)]
    assert not [line for line in err if line.startswith("qt.multimedia")]
    assert not [line for line in err if "PulseAudio" in line]  # the videos are silent
    assert len(err) <= 5, done.stderr  # what is left is about the offscreen platform

    # The info window: notes at a readable size; on one screen under the slide window,
    # not over it; "next slide" is the next slide's last frame, not its video's blend.
    assert look["notes_px"] >= 20
    (mx, my, mw, mh), (ix, iy, _, _) = look["windows"]
    assert iy >= my + mh and mx == ix, look["windows"]
    assert mw >= 0.5 * look["screen"][0], look
    videos = [v for s in scenes for v in slide_files(folder / f"{s}.json")]
    for record, step in ((look, 0), (down, 1)):
        assert record["next_video"] is False and record["next_still"] is True
        shown = Image.open(f"{shots}-{step}.png").convert("RGB")
        expected = last_frame(videos[record["at"][1] + 1]).convert("RGB").resize(shown.size)
        difference = np.abs(np.asarray(shown, float) - np.asarray(expected, float)).mean()
        assert difference < 6, (step, difference)


def test_merged_presentation_keeps_every_slide_in_order(deck_slides, tmp_path):
    from deck.commands import player
    from deck.compat.manim_slides import load_presentation, presenter_keys, slide_video

    folder, scenes, _ = deck_slides
    prepared = player.prepare(folder, scenes, tmp_path / "present")
    merged = load_presentation(prepared / f"{player.PRESENTATION}.json")
    assert [s.notes for s in merged.slides] == _slide_notes(folder, scenes)
    expected = [
        slide_video(folder / f"{scene}.json", slide["file"]).resolve()
        for scene in scenes
        for slide in json.loads((folder / f"{scene}.json").read_text())["slides"]
    ]
    assert [s.file for s in merged.slides] == expected
    keys = presenter_keys(prepared / player.KEYS_FILE)
    assert len(keys["NEXT"]) == 2 and len(keys["PREVIOUS"]) == 2  # arrow + page key


def test_start_at_is_the_slide_number_and_checked(monkeypatch, tmp_path, capsys):
    from deck.build import render
    from deck.commands import player
    from deck.scenes import total_slides

    calls = []
    monkeypatch.setattr(render, "is_fresh", lambda *a: True)
    monkeypatch.setitem(doctor.CHECKS, "qt", lambda: Finding("qt", True, ""))
    monkeypatch.setattr(player, "prepare", lambda slides, names, folder: tmp_path)
    monkeypatch.setattr(present_command.subprocess, "call", lambda cmd, env: calls.append(cmd) or 0)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")  # a display, as far as deck knows

    assert cli.main(["present", "--quality", "low", "--start-at", "7"]) == 0
    (cmd,) = calls
    assert cmd[cmd.index("--start-at-slide-number") + 1] == "6"  # 0-based in manim-slides
    for bad in ("0", str(total_slides() + 1)):
        assert cli.main(["present", "--quality", "low", "--start-at", bad]) == 2
        err = capsys.readouterr().err
        assert err.startswith("deck: error: --start-at") and err.count("\n") == 1
    assert len(calls) == 1


def test_readme_lists_the_keys_of_both_players(tmp_path):
    """Every action the live presenter's key file binds, and the clicker keys, are in the
    README's Presenting table, with the HTML deck's keys beside them."""
    from qtpy.QtCore import Qt

    from deck.commands import player
    from deck.compat.manim_slides import presenter_keys

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Presenting", 1)[1].split("\n## ", 1)[0]
    assert "| action | live presenter (`deck present`) | HTML (`gqa.html`) |" in section
    rows = {r.split("|")[1].strip(): r for r in section.splitlines() if r.startswith("| ")}
    keys = presenter_keys(player.prepare_keys(tmp_path / player.KEYS_FILE))
    named = {Qt.Key.Key_Right: "→", Qt.Key.Key_Left: "←", Qt.Key.Key_PageDown: "Page Down"}
    named |= {Qt.Key.Key_PageUp: "Page Up", Qt.Key.Key_Space: "Space"}
    actions = {
        "NEXT": "next slide",
        "PREVIOUS": "previous slide",
        "PLAY_PAUSE": "pause / resume the slide's animation",
        "REPLAY": "replay the slide",
        "REVERSE": "play the slide in reverse",
        "FULL_SCREEN": "full screen",
        "HIDE_MOUSE": "show / hide the mouse pointer",
        "QUIT": "quit",
    }
    assert set(keys) == set(actions), "an action of the player is missing from this test"
    for action, codes in keys.items():
        row = rows[actions[action]]
        live = row.split("|")[2]
        for code in codes:
            name = named.get(code) or Qt.Key(code).name.removeprefix("Key_")
            assert name in live, f"{action}: {name} is not in README's row {row!r}"


def test_an_unreachable_display_is_one_line_before_anything_renders(monkeypatch, capsys):
    def must_not_run(*args, **kwargs):
        raise AssertionError("rendered or started although no display is reachable")

    monkeypatch.setattr(present_command.subprocess, "call", must_not_run)
    monkeypatch.setattr("deck.build.render.render_scenes", must_not_run)
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.setenv("DISPLAY", ":97")  # no X server there
    assert cli.main(["present", "--quality", "low"]) == 1
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("deck: no display: DISPLAY=:97 names no running X server")
    assert "/tmp/.X11-unix/X97" in line and "Xvfb :97" in line
    monkeypatch.setenv("DISPLAY", "nonsense")
    assert cli.main(["present", "--quality", "low"]) == 1
    assert "not an X display name" in capsys.readouterr().err


def test_a_running_x_server_is_a_display(monkeypatch):
    import shutil

    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (bash scripts/setup.sh --with-browser)")
    server = subprocess.Popen(["Xvfb", ":96", "-nolisten", "tcp"], stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while present_command.x_server_problem(":96") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert present_command.x_server_problem(":96") is None
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_presenter_killed_by_a_signal_says_so_as_a_shell_would():
    assert present_command.exit_status(-6) == "was stopped by SIGABRT (exit code 134)"
    assert present_command.exit_status(3) == "stopped with exit code 3"


def test_present_without_quality_shows_what_is_built(monkeypatch, tmp_path, capsys):
    """After `deck build --quality low`, `deck present` presents that build instead of
    rendering 1080p60 first; with nothing built, the default quality."""
    from deck.project import Project
    from deck.talk import Talk

    project = Project(root=tmp_path)
    talk = Talk.for_preset()
    assert present_command.built_quality(talk, project) == "high"  # nothing built
    project.build(talk, "low").slides.mkdir(parents=True)
    monkeypatch.setattr("deck.build.render.is_fresh", lambda scene, where: where.quality == "low")
    assert present_command.built_quality(talk, project) == "low"
    assert "presenting the low-quality build (480p15)" in capsys.readouterr().out
