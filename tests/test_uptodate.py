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
from deck.project import Build, Project
from deck.talk import Talk

ROOT = Path(__file__).resolve().parents[1]
SCENES = ["Opening", "DataFlow"]


@pytest.fixture
def built(tmp_path) -> Build:
    """A build folder and exports as a whole-deck build leaves them, in a project of its
    own with a copy of the deck's code (so that the test can edit it), recorded."""
    code = tmp_path / "code" / "deck"
    shutil.copytree(ROOT / "deck", code, ignore=shutil.ignore_patterns("__pycache__"))
    where = Project(tmp_path, code).build(Talk.for_preset(), "low")
    videos = where.slides / "files" / "Opening"
    videos.mkdir(parents=True)
    (videos / "a.mp4").write_bytes(b"video")
    for name in SCENES:
        (where.slides / f"{name}.json").write_text("{}")
        (where.slides / f"{name}.inputs").write_text("digest\n")
    where.out_dir.mkdir()
    for fmt in FORMATS:
        out_path(where, fmt).write_bytes(b"export")
    uptodate.record(where, SCENES, FORMATS, uptodate.inputs_digest(where, FORMATS))
    return where


def unchanged(built: Build, talk=None, quality="low", formats=FORMATS):
    where = built.project.build(talk or built.talk, quality)
    return uptodate.scenes_if_unchanged(where, formats, uptodate.inputs_digest(where, formats))


def test_nothing_changed(built):
    assert unchanged(built) == SCENES


def test_other_talk_quality_or_formats_are_changes(built):
    assert unchanged(built, talk=dataclasses.replace(Talk.for_preset(), speaker="Ada")) is None
    assert unchanged(built, talk=Talk.for_preset("llama-3-8b")) is None
    assert unchanged(built, quality="high") is None
    assert unchanged(built, formats=("html",)) is None


def test_any_edit_of_the_code_is_a_change(built):
    source = built.project.code / "export" / "templates" / "deck.js"
    source.write_text(source.read_text() + "\n")
    assert unchanged(built) is None


def test_an_edit_while_building_is_a_change_for_the_next_build(built):
    """The stamp records the inputs the build started from, not those it ended with."""
    started = uptodate.inputs_digest(built, FORMATS)
    source = built.project.code / "content" / "model.py"
    source.write_text(source.read_text() + "\n")  # saved while the scenes render
    uptodate.record(built, SCENES, FORMATS, started)
    assert unchanged(built) is None


@pytest.mark.parametrize("damage", ["truncated", "rewritten", "deleted", "added", "export"])
def test_a_changed_file_is_a_change(built, damage):
    video = built.slides / "files" / "Opening" / "a.mp4"
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
        out_path(built, FORMATS[1]).unlink()
    assert unchanged(built) is None


def test_temporary_files_are_not_changes(built):
    (built.slides / ".Opening.json.123-0123abcd.tmp").write_bytes(b"half")
    assert unchanged(built) == SCENES


@pytest.mark.parametrize("stamp", ["", "{", "[]", '{"files": {}}', '{"inputs": 1}'])
def test_an_unreadable_stamp_is_a_change(built, stamp):
    (built.folder / uptodate.STAMP).write_text(stamp)
    assert unchanged(built) is None


def test_a_build_with_nothing_to_do_does_not_import_manim(built):
    """`deck build` answers from the stamp: the usual lines, exit 0, manim never loaded."""
    root, code = built.project.root, built.project.code
    run = f"""
import sys
from pathlib import Path
from deck import cli
from deck.project import Project
project = Project(Path({str(root)!r}), Path({str(code)!r}))
code = cli.main(["build", "--quality", "low"], project)
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
