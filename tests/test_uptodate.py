"""deck/build/uptodate.py: a whole-deck build with nothing to do is known without manim, and any
change at all (code, talk, quality, formats, a damaged or missing file) is not taken
for none."""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from deck.build import uptodate
from deck.export import FORMATS, out_path
from deck.talk import Talk

ROOT = Path(__file__).resolve().parents[1]
SCENES = ["Opening", "DataFlow"]


@pytest.fixture
def built(tmp_path, monkeypatch) -> tuple[Path, list[Path]]:
    """A build folder and exports as a whole-deck build leaves them, and a copy of the
    deck's code (so that the test can edit it), recorded."""
    code = tmp_path / "code" / "deck"
    shutil.copytree(ROOT / "deck", code, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(uptodate, "ROOT", code.parent)
    monkeypatch.setattr(uptodate, "CODE", code)
    build = tmp_path / "builds" / Talk.for_preset().slug / "low"  # as render.build_dir
    videos = build / "slides" / "files" / "Opening"
    videos.mkdir(parents=True)
    (videos / "a.mp4").write_bytes(b"video")
    for name in SCENES:
        (build / "slides" / f"{name}.json").write_text("{}")
        (build / "slides" / f"{name}.inputs").write_text("digest\n")
    outputs = [out_path(tmp_path / "out", "gqa", fmt) for fmt in FORMATS]
    outputs[0].parent.mkdir()
    for path in outputs:
        path.write_bytes(b"export")
    uptodate.record(build, outputs, SCENES, Talk.for_preset(), "low", FORMATS)
    return build, outputs


def unchanged(built, talk=None, quality="low", formats=FORMATS):
    build, outputs = built
    return uptodate.scenes_if_unchanged(build, outputs, talk or Talk.for_preset(), quality, formats)


def test_nothing_changed(built):
    assert unchanged(built) == SCENES


def test_other_talk_quality_or_formats_are_changes(built):
    assert unchanged(built, talk=dataclasses.replace(Talk.for_preset(), speaker="Ada")) is None
    assert unchanged(built, talk=Talk.for_preset("llama-3-8b")) is None
    assert unchanged(built, quality="high") is None
    assert unchanged(built, formats=("html",)) is None


def test_any_edit_of_the_code_is_a_change(built):
    source = uptodate.CODE / "export" / "templates" / "deck.js"
    source.write_text(source.read_text() + "\n")
    assert unchanged(built) is None


@pytest.mark.parametrize("damage", ["truncated", "rewritten", "deleted", "added", "export"])
def test_a_changed_file_is_a_change(built, damage):
    build, outputs = built
    video = build / "slides" / "files" / "Opening" / "a.mp4"
    if damage == "truncated":
        os.truncate(video, 2)
    elif damage == "rewritten":  # same size, later mtime
        stat = video.stat()
        video.write_bytes(b"VIDEO")
        os.utime(video, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    elif damage == "deleted":
        video.unlink()
    elif damage == "added":
        (video.parent / "b.mp4").write_bytes(b"video")
    else:
        outputs[1].unlink()
    assert unchanged(built) is None


def test_temporary_files_are_not_changes(built):
    build, _ = built
    (build / "slides" / ".Opening.json.123-0123abcd.tmp").write_bytes(b"half")
    assert unchanged(built) == SCENES


@pytest.mark.parametrize("stamp", ["", "{", "[]", '{"files": {}}', '{"inputs": 1}'])
def test_an_unreadable_stamp_is_a_change(built, stamp):
    build, _ = built
    (build / uptodate.STAMP).write_text(stamp)
    assert unchanged(built) is None


def test_a_build_with_nothing_to_do_does_not_import_manim(built, tmp_path):
    """`deck build` answers from the stamp: the usual lines, exit 0, manim never loaded."""
    _, outputs = built
    run = f"""
import sys
from pathlib import Path
from deck import cli
from deck.build import render, uptodate
uptodate.ROOT, uptodate.CODE = Path({str(uptodate.ROOT)!r}), Path({str(uptodate.CODE)!r})
render.BUILD = Path({str(tmp_path / "builds")!r})
cli.PRESENTATIONS = Path({str(outputs[0].parent)!r})
code = cli.main(["build", "--quality", "low"])
print("manim imported:", "manim" in sys.modules)
sys.exit(code)
"""
    done = subprocess.run(
        [sys.executable, "-c", run], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(" unchanged") == len(SCENES)
    assert "exports are up to date" in done.stdout
    assert "manim imported: False" in done.stdout
