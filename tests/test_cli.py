"""The `deck` command: bad input gets one line and exit code 2; listing; export before render."""

from __future__ import annotations

import subprocess
import sys

import pytest

from deck import cli, render
from deck.model import PRESETS
from deck.scenes import SCENE_NAMES, total_slides


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


def test_export_before_render_says_what_to_do(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(render, "BUILD", tmp_path / "build")
    monkeypatch.setattr(cli, "PRESENTATIONS", tmp_path / "presentations")
    monkeypatch.setattr(render, "render_scenes", lambda *a, **k: [])  # as if nothing rendered
    assert cli.main(["build", "--quality", "low"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "deck build" in err[0] and SCENE_NAMES[0] in err[0]
    assert not (tmp_path / "presentations").exists() or not any(
        (tmp_path / "presentations").iterdir()
    )


def test_non_default_preset_exports_under_its_own_name():
    assert cli.export_stem("gqa-1b") == "gqa"
    assert cli.export_stem("mistral-7b") == "gqa-mistral-7b"


@pytest.mark.render
def test_ctrl_c_stops_the_build_at_once_and_writes_nothing():
    import os
    import signal
    import time

    out = cli.PRESENTATIONS
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
