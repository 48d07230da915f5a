"""The `deck` command: bad input gets one line and exit code 2; listing; export before render."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from deck import cli
from deck.build import render
from deck.commands import build as build_command
from deck.commands import present as present_command
from deck.content.model import DEFAULT_PRESET, PRESETS, get_preset
from deck.project import THIS_PROJECT, Project, export_stem
from deck.scenes import BY_SECTION, SCENE_NAMES, SCENES, total_slides
from deck.talk.file import read_talk_file


def run_deck(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "deck", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "names"),
    [
        (("build", "--preset", "gpt-9"), list(PRESETS)),
        (("build", "--quality", "8k"), ["low", "medium", "high", "4k"]),
        (("build", "--quality", "low", "NoSuchScene"), list(SCENE_NAMES)),
        (("present", "--preset", "nope"), list(PRESETS)),
    ],
)
def test_bad_input_is_one_line_naming_the_choices(args, names):
    done = run_deck(*args)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("deck: error:"), done.stderr
    assert "Traceback" not in done.stderr
    for name in names:
        assert name in lines[0]


def test_the_default_models_former_name_still_works(tmp_path):
    """Scripts written for "demo-1b" (renamed: it read as GQA-1, which is MQA) keep working,
    on the command line and in a talk file."""
    assert get_preset("gqa-1b") is PRESETS[DEFAULT_PRESET]
    done = run_deck("info", "--preset", "gqa-1b")
    assert done.returncode == 0, done.stderr
    assert "Demo-1B" in done.stdout
    talk = tmp_path / "talk.toml"
    talk.write_text('model = "gqa-1b"\n')
    assert read_talk_file(talk).model() is PRESETS[DEFAULT_PRESET]


def test_jobs_must_be_positive():
    done = run_deck("build", "--jobs", "0")
    assert done.returncode == 2 and "--jobs" in done.stderr


def test_list_names_every_slide_with_its_notes():
    done = run_deck("list", "--preset", "llama-3-8b")
    assert done.returncode == 0, done.stderr
    numbered = [line for line in done.stdout.splitlines() if line.strip()[:1].isdigit()]
    assert [int(line.split(".")[0]) for line in numbered] == list(range(1, total_slides() + 1))
    assert all(line.split(": ", 1)[1].endswith(".") for line in numbered)  # a first sentence
    assert "Llama 3 8B" in done.stdout


SECTION_LINE = re.compile(
    r"^(\w+) — .* \((\d+) slides?, ([\d,]+) words, (\d+\.\d) min\)$", re.MULTILINE
)


def test_list_gives_each_sections_words_and_minutes_and_the_total():
    """At 130 words a minute; the words counted here from the notes, split at spaces."""
    done = run_deck("list")
    assert done.returncode == 0, done.stderr
    sections = SECTION_LINE.findall(done.stdout)
    assert [name for name, *_ in sections] == [s.__module__.rsplit(".", 1)[1] for s in SCENES]
    model = get_preset(DEFAULT_PRESET)
    total = 0
    for name, slides, said, minutes in sections:
        scene = BY_SECTION[name]
        expected = sum(len(scene.notes_for(b, model).split()) for b in scene.beat_names())
        assert int(slides) == scene.slide_count()
        assert int(said.replace(",", "")) == expected, name
        assert float(minutes) == round(expected / 130, 1), name
        total += expected
    last = done.stdout.strip().splitlines()[-1]
    assert last == (
        f"Total: {total_slides()} slides, {total:,} words, {total / 130:.1f} min "
        "at 130 words a minute"
    )


def test_export_before_render_says_what_to_do(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(render, "render_scenes", lambda *a, **k: [])  # as if nothing rendered
    assert cli.main(["build", "--quality", "low"], Project(tmp_path)) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "deck build" in err[0] and SCENE_NAMES[0] in err[0]
    assert not (tmp_path / "presentations").exists() or not any(
        (tmp_path / "presentations").iterdir()
    )


def test_non_default_preset_exports_under_its_own_name():
    assert export_stem("demo-1b") == "gqa"  # the default talk keeps its stem
    assert export_stem("mistral-7b") == "gqa-mistral-7b"


@pytest.mark.render
def test_ctrl_c_stops_the_build_at_once_and_writes_nothing():
    import os
    import signal
    import time

    out = THIS_PROJECT.presentations
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("gqa*")} if out.exists() else {}
    build = subprocess.Popen(
        [sys.executable, "-m", "deck", "build", "--preset", "astrai-1b", "--quality", "low"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    # wait until the scenes are queued (importing manim alone can take 10 s on a busy
    # machine), then give the workers a moment to start rendering
    seen = []
    for line in build.stdout:
        seen.append(line)
        if "queued" in line:
            break
    time.sleep(1)
    os.killpg(build.pid, signal.SIGINT)
    start = time.perf_counter()
    rest, _ = build.communicate(timeout=60)
    output = "".join(seen) + rest
    assert build.returncode == 130, output
    assert time.perf_counter() - start < 10
    assert "previous exports are untouched" in output
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):
        os.killpg(build.pid, 0)  # no worker is left running
    after = {p.name: p.stat().st_mtime_ns for p in out.glob("gqa*")} if out.exists() else {}
    assert after == before


# ── every failure one line, no traceback ─────────────────────────────────
def test_no_arguments_prints_the_help():
    done = run_deck()
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith("usage: deck") and "build" in done.stdout


def start_deck(command: str, stdout: int) -> subprocess.Popen:
    """`deck COMMAND` running, its stderr readable."""
    return subprocess.Popen(
        [sys.executable, "-m", "deck", command], stdout=stdout, stderr=subprocess.PIPE, text=True
    )


def test_a_closed_pipe_ends_quietly():
    # `deck info | head` (or list): the reader is gone before deck writes its first line
    listing = start_deck("info", subprocess.PIPE)
    listing.stdout.close()
    err = listing.stderr.read()
    assert listing.wait(timeout=120) == cli.BROKEN_PIPE
    assert err == ""


def test_ctrl_c_during_start_up_is_one_line():
    import signal
    import time

    listing = start_deck("list", subprocess.DEVNULL)
    maps = Path(f"/proc/{listing.pid}/maps")
    deadline = time.monotonic() + 30
    while "numpy" not in maps.read_text() and time.monotonic() < deadline:
        time.sleep(0.02)  # until it is importing manim (numpy comes first)
    listing.send_signal(signal.SIGINT)
    err = listing.stderr.read()
    assert listing.wait(timeout=60) == 130
    assert err.startswith("deck: interrupted") and err.count("\n") == 1, err


def test_outside_the_project_environment_says_how_to_set_up(tmp_path):
    # the interpreter the project's venv was made from, without the venv's packages
    python = [sys._base_executable, "-s"]
    if subprocess.run([*python, "-c", "import av"], capture_output=True).returncode == 0:
        pytest.skip("the base interpreter has the project's packages too")
    done = subprocess.run(
        [*python, "-m", "deck", "build", "--quality", "low"],
        cwd=Path(cli.__file__).parents[1],
        env={"PATH": os.environ["PATH"], "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "bash scripts/setup.sh" in lines[0], done.stderr


@pytest.fixture
def presenter(monkeypatch, tmp_path):
    """`deck present` with Qt there, every scene current, and the presenter not started."""
    from deck.commands import doctor, player
    from deck.commands.doctor import Finding

    monkeypatch.setitem(doctor.CHECKS, "qt", lambda: Finding("qt", True, ""))
    monkeypatch.setattr(render, "is_fresh", lambda *args: True)
    monkeypatch.setattr(player, "prepare", lambda slides, names, folder: folder)
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
        monkeypatch.delenv(name, raising=False)
    calls = []

    def call(cmd, **kw) -> int:
        calls.append(cmd)
        return 134

    monkeypatch.setattr(present_command.subprocess, "call", call)
    return Project(tmp_path), calls


def test_present_without_a_display_says_so(presenter, capsys):
    project, calls = presenter
    assert cli.main(["present", "--quality", "low"], project) == 1
    err = capsys.readouterr().err
    assert err.startswith("deck: no display:") and err.count("\n") == 1
    assert calls == []


def test_present_reports_the_presenters_failure(presenter, monkeypatch, capsys):
    project, calls = presenter
    monkeypatch.setattr("deck.commands.present.display_problem", lambda: None)  # as if :0 ran
    assert cli.main(["present", "--quality", "low"], project) == 1
    err = capsys.readouterr().err
    assert "exit code 134" in err and err.count("\n") == 1
    assert len(calls) == 1


def test_exports_are_told_the_talk(monkeypatch):
    import datetime

    from deck.scenes.closing import cited_references
    from deck.talk import Talk

    talk = Talk(
        PRESETS["demo-1b"], speaker="Ada Speaker", date=datetime.date(2026, 5, 14), minutes=20
    )
    options = build_command.export_options(talk)
    assert (options.title, options.author, options.date) == (
        talk.title,
        "Ada Speaker",
        datetime.date(2026, 5, 14),
    )
    assert options.minutes == 20 and options.subject == "Demo-1B"
    assert options.references == tuple(r.citation() for r in cited_references())
    # no date: the day of the export, for the documents' created/modified dates
    assert build_command.export_options(Talk(PRESETS["demo-1b"])).day == datetime.date.today()

    seen = []

    def build(where, *args, **kwargs) -> int:
        seen.append(where.talk.minutes)
        return 0

    monkeypatch.setattr(build_command, "build", build)
    assert cli.main(["build", "--minutes", "25"]) == 0 and seen == [25]


@pytest.mark.parametrize("minutes", ["20.5", "0", "-3", "twenty", "1441"])
def test_minutes_are_whole_as_in_the_talk_file(minutes):
    result = run_deck("build", "--quality", "low", "--minutes", minutes)
    assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("deck: error: argument --minutes: must be a whole number")


def test_another_pace_renders_nothing():
    """The minutes pace the HTML speaker view only: no scene's inputs or slide context
    change with them, so a build with another --minutes re-renders nothing."""
    import dataclasses

    from deck.build.render import beat_context, input_hash
    from deck.project import THIS_PROJECT
    from deck.scenes import SCENES
    from deck.talk import Talk

    builds = [
        THIS_PROJECT.build(dataclasses.replace(Talk.for_preset(), minutes=m), "low")
        for m in (None, 20, 30)
    ]
    for scene in SCENES:
        assert len({input_hash(scene, b) for b in builds}) == 1, scene.__name__
        assert len({beat_context(scene, b) for b in builds}) == 1, scene.__name__
