"""The build heals itself: damaged, moved or concurrent build state never needs `rm -rf`.

Each test damages a copy of a real low-quality build the way a user, a full disk or a
killed process would, then asserts that the next `deck build` succeeds and exports a
valid deck of the current slide count.

Cost: the session builds once, into a copy of the project seeded from the project's own
low build (so that build only checks, when it is current). The damage tests then copy
that build folder and run `deck build` in this process (the PDF alone is exported: the
other formats read the same checked input); the end-to-end tests (a moved project, two
builds at once, a killed build, a read-only export folder) run the real command in a
subprocess inside a copy of the project.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from deck import cli
from deck.commands import build as build_command
from deck.content.model import DEFAULT_PRESET
from deck.export.videos import load_presentations, video_problem
from deck.project import Project, export_stem
from deck.scenes import SCENE_NAMES, SCENES, total_slides

pytestmark = pytest.mark.render

ROOT = Path(__file__).resolve().parents[1]
QUALITY = "low"
STEM = export_stem(DEFAULT_PRESET)
BUILD_PATH = Path("build", DEFAULT_PRESET, QUALITY)  # inside a project
NO_PID = 4_194_305  # above Linux's largest pid_max: never a live process
GRACE_S = 5  # how long a killed build's processes may take to die


# ── a project copy, built once per session ──────────────────────────────
def copy_project(source: Path, dest: Path) -> Path:
    """The deck's code, its low build and its exports; node_modules linked, not copied.
    File times are kept, so a current build stays current."""
    dest.mkdir(parents=True)
    shutil.copytree(source / "deck", dest / "deck", ignore=shutil.ignore_patterns("__pycache__"))
    (dest / "node_modules").symlink_to((source / "node_modules").resolve())
    if (source / BUILD_PATH).is_dir():
        shutil.copytree(source / BUILD_PATH, dest / BUILD_PATH, symlinks=True)
    (dest / "presentations").mkdir()
    exports = [*(source / "presentations").glob(f"{STEM}.*")]
    exports += (source / "presentations").glob(f"{STEM}-handout.*")
    for path in exports:
        shutil.copy2(path, dest / "presentations" / path.name)
    return dest


def deck(project: Path, *args: str, **kwargs) -> subprocess.CompletedProcess:
    """`python -m deck ARGS` run inside `project` (its own deck package, build and exports)."""
    return subprocess.run(
        [sys.executable, "-m", "deck", *args],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        **kwargs,
    )


def start_deck(project: Path, *args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "deck", *args],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its session id is its pid: finds every process it starts
    )


def read_until(process: subprocess.Popen, word: str) -> str:
    """The build's output up to the first line containing `word`."""
    seen = ""
    while word not in seen:
        line = process.stdout.readline()
        assert line, f"the build ended before {word!r}:\n{seen}{process.stderr.read()}"
        seen += line
    return seen


def assert_valid_deck(project_build: Path, presentations: Path) -> None:
    """Every scene's JSON valid with one slide per beat and complete videos; the exports
    there, of the deck's current slide count; no path that a move would break; no
    temporary file left anywhere."""
    slides = project_build / "slides"
    configs = load_presentations(SCENE_NAMES, slides)
    assert [len(c.slides) for c in configs] == [s.slide_count() for s in SCENES]
    assert sum(len(c.slides) for c in configs) == total_slides()
    for name in SCENE_NAMES:
        for slide in json.loads((slides / f"{name}.json").read_text())["slides"]:
            assert not Path(slide["file"]).is_absolute() and slide["src"] is None, name
    pypdf = pytest.importorskip("pypdf")
    assert len(pypdf.PdfReader(presentations / f"{STEM}.pdf").pages) == total_slides()
    leftovers = [*project_build.rglob("*.tmp"), *presentations.glob(".*.tmp")]
    assert leftovers == []


def assert_full_exports(presentations: Path) -> None:
    from pptx import Presentation

    assert len(Presentation(str(presentations / f"{STEM}.pptx")).slides) == total_slides()
    html = (presentations / f"{STEM}.html").read_text()
    assert "data:video/mp4;base64," in html  # the videos inlined (test_export checks the rest)


def one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("deck: ") and "Traceback" not in text, text
    return lines[0]


@pytest.fixture(scope="session")
def project(tmp_path_factory) -> Path:
    """A copy of the project after one `deck build --quality low`, end to end in a
    subprocess (treat it as read-only: copy it to damage it)."""
    copy = copy_project(ROOT, tmp_path_factory.mktemp("project") / "gqa")
    start = time.perf_counter()
    done = deck(copy, "build", "--quality", QUALITY)
    assert done.returncode == 0, done.stdout + done.stderr
    print(f"\nheal: session build in {time.perf_counter() - start:.1f} s")
    assert done.stderr == ""
    assert "\r" not in done.stdout and "it/s" not in done.stdout  # no progress bar leaked
    assert_valid_deck(copy / BUILD_PATH, copy / "presentations")
    assert_full_exports(copy / "presentations")
    return copy


@pytest.fixture
def build(project, tmp_path, monkeypatch) -> Path:
    """A private copy of the session's build folder (a project of its own, without a talk
    file, as the copy is), which `cli.main` then builds (in this process, exporting the
    PDF only)."""
    shutil.copytree(project / "build", tmp_path / "build", symlinks=True)
    shutil.copytree(project / "presentations", tmp_path / "presentations")
    whole_build = build_command.build

    def pdf_only(where, jobs, scene_names=(), formats=(), **options):
        return whole_build(where, jobs, scene_names, ("pdf",), **options)

    monkeypatch.setattr(build_command, "build", pdf_only)
    return tmp_path / BUILD_PATH


def build_again(build: Path, capsys, *scenes: str) -> str:
    """`deck build` on the damaged copy: it must succeed and leave a valid deck."""
    project = Project(build.parents[2])
    code = cli.main(["build", "--quality", QUALITY, *scenes], project)
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert err == ""
    if not scenes:
        assert_valid_deck(build, build.parents[2] / "presentations")
    return out


def stale(build: Path, scene: str) -> None:
    """As if the scene's code had changed: its stamp no longer matches."""
    (build / "slides" / f"{scene}.inputs").write_text("changed\n")


def scene_json(build: Path, scene: str) -> Path:
    return build / "slides" / f"{scene}.json"


def scene_videos(build: Path, scene: str) -> list[Path]:
    config = json.loads(scene_json(build, scene).read_text())
    return [build / slide["file"] for slide in config["slides"]]


def cached_videos(build: Path, scene: str) -> list[Path]:
    index = json.loads((build / "slides" / f"{scene}.beats.json").read_text())
    return [build / "beats" / f"{key}.mp4" for key in index["keys"]]


# ── 1. a damaged slide video ─────────────────────────────────────────────
def test_truncated_slide_video_is_rendered_again(build, capsys):
    video = scene_videos(build, "Opening")[0]
    os.truncate(video, 100)
    out = build_again(build, capsys)
    assert "Opening is damaged" in out and video.name in out and "Opening rendered" in out


# ── 2. a damaged video in the slide cache ────────────────────────────────
def test_truncated_cached_slide_is_a_cache_miss(build, capsys):
    cached = cached_videos(build, "Opening")[0]
    os.truncate(cached, cached.stat().st_size // 2)
    stale(build, "Opening")  # it re-renders, and would reuse the cached slide
    build_again(build, capsys)
    stats = json.loads((build / "logs" / "Opening.stats.json").read_text())
    assert stats["cached_slides_dropped"] == 1
    assert stats["slides_reused"] == stats["slides"] - 1
    assert video_problem(cached) is None  # cached again, whole


# ── 3. the slide cache deleted ───────────────────────────────────────────
def test_deleted_slide_cache_is_only_a_cache_miss(build, capsys):
    # a JSON written before paths were made portable named the cached video as `src`
    config = json.loads(scene_json(build, "DataFlow").read_text())
    config["slides"][0]["src"] = str(cached_videos(build, "DataFlow")[0])
    scene_json(build, "DataFlow").write_text(json.dumps(config))
    shutil.rmtree(build / "beats")
    stale(build, "Opening")  # renders with no cache at all
    out = build_again(build, capsys)
    assert "DataFlow unchanged" in out and "Opening rendered" in out


# ── 4. a damaged scene JSON ──────────────────────────────────────────────
def _not_json(config: dict) -> str:
    return json.dumps(config)[:-40]


def _wrong_type(config: dict) -> str:
    config["slides"][0]["file"] = 3
    return json.dumps(config)


def _slide_deleted(config: dict) -> str:
    del config["slides"][1]
    return json.dumps(config)


@pytest.mark.parametrize(
    ("scene", "damage"),
    [("Opening", _not_json), ("Opening", _wrong_type), ("AttentionWeights", _slide_deleted)],
)
def test_damaged_scene_json_is_rendered_again(build, capsys, scene, damage):
    path = scene_json(build, scene)
    path.write_text(damage(json.loads(path.read_text())))
    out = build_again(build, capsys)
    assert f"{scene} is damaged" in out and f"{scene} rendered" in out


# ── 5. a moved project ───────────────────────────────────────────────────
def test_moved_project_rebuilds_nothing(project, tmp_path):
    moved = copy_project(project, tmp_path / "before").rename(tmp_path / "after, renamed é")
    done = deck(moved, "build", "--quality", QUALITY)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count(" unchanged") == len(SCENES)
    assert "exports are up to date" in done.stdout
    assert_valid_deck(moved / BUILD_PATH, moved / "presentations")


def test_absolute_paths_of_an_older_build_are_made_relative(build, capsys):
    old = Path("/nowhere/gqa") / BUILD_PATH  # where the project was when it was built
    for name in SCENE_NAMES:
        config = json.loads(scene_json(build, name).read_text())
        for slide in config["slides"]:
            slide["file"] = slide["rev_file"] = str(old / slide["file"])
        scene_json(build, name).write_text(json.dumps(config))
    out = build_again(build, capsys)  # checks that no absolute path is left
    assert out.count(" unchanged") == len(SCENES)


# ── 6. concurrent builds, a scene named twice, damaged text caches ───────
def test_a_scene_named_twice_renders_once(build, capsys):
    stale(build, "Opening")
    out = build_again(build, capsys, "Opening", "Opening")
    assert out.count("Opening rendered") == 1 and "building 1 scene(s)" in out


def test_unreadable_text_caches_are_misses(build, capsys):
    texts = build / "media" / "texts" / "Opening"
    # the project's build may hold SVGs of texts the scene no longer shows: keep only the
    # ones a render of today's Opening writes
    for svg in texts.glob("*.svg"):
        svg.unlink()
    stale(build, "Opening")
    build_again(build, capsys, "Opening")
    svgs = sorted(texts.glob("*.svg"))
    assert len(svgs) >= 2, "no cached text SVGs for Opening"
    svgs[0].write_bytes(b"")  # empty, as a build killed while writing it leaves it
    svgs[-1].write_bytes(svgs[-1].read_bytes()[:100])  # cut short
    stale(build, "Opening")
    out = build_again(build, capsys)
    assert "Opening rendered" in out
    assert svgs[0].stat().st_size > 100 and svgs[-1].stat().st_size > 100  # written anew


def test_two_builds_at_once_leave_one_valid_deck(project, tmp_path):
    copy = copy_project(project, tmp_path / "gqa")
    longest = max(SCENES, key=lambda s: s.slide_count()).__name__
    stale(copy / BUILD_PATH, longest)
    for video in cached_videos(copy / BUILD_PATH, longest):
        video.unlink()  # a real render: the others start while the first holds the lock
    first = start_deck(copy, "build", "--quality", QUALITY)
    read_until(first, "building")  # it holds the lock
    second = start_deck(copy, "build", "--quality", QUALITY)
    refused = deck(copy, "build", "--quality", QUALITY, "--no-wait")
    out, err = second.communicate(timeout=600)
    first_out, first_err = first.communicate(timeout=600)

    assert first.returncode == 0 and first_err == "", first_out + first_err
    assert refused.returncode == 2 and refused.stdout == ""
    assert f"(pid {first.pid}) is using" in one_line(refused.stderr)
    assert second.returncode == 0, out + err
    assert "waiting for it to finish" in one_line(err)
    assert out.count(" unchanged") == len(SCENES)  # the first build rendered it
    assert_valid_deck(copy / BUILD_PATH, copy / "presentations")


# ── 7. a build killed with SIGKILL ───────────────────────────────────────
def session_processes(session: int) -> list[int]:
    """The live processes (zombies excluded) of a session, read from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        state, _ppid, _group, sid = stat[stat.rindex(")") + 2 :].split()[:4]
        if int(sid) == session and state not in "ZX":
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")
def test_killed_build_leaves_no_process_and_heals(project, tmp_path):
    copy = copy_project(project, tmp_path / "gqa")
    build = copy / BUILD_PATH
    stale(build, "Opening")
    killed = start_deck(copy, "build", "--quality", QUALITY)
    read_until(killed, "queued")  # its worker is rendering
    running = session_processes(killed.pid)
    assert len(running) >= 2, "no worker was running"
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    killed.stdout.close()
    killed.stderr.close()
    deadline = time.monotonic() + GRACE_S
    while session_processes(killed.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert session_processes(killed.pid) == []
    # what a build or an export killed while writing leaves behind
    leftovers = [
        build / "beats" / f".{'0' * 32}.mp4.{NO_PID}-0123abcd.tmp",
        build / "slides" / f".Opening.json.{NO_PID}-0123abcd.tmp",
        copy / "presentations" / f".{STEM}.pdf.{NO_PID}-0123abcd.tmp",
    ]
    for path in leftovers:
        path.write_bytes(b"half")

    healed = deck(copy, "build", "--quality", QUALITY)
    assert healed.returncode == 0 and healed.stderr == "", healed.stdout + healed.stderr
    assert not any(path.exists() for path in leftovers)
    assert_valid_deck(build, copy / "presentations")
    assert_full_exports(copy / "presentations")


# ── every other failure: one line, no traceback ──────────────────────────
@pytest.fixture(scope="session")
def read_only_mounts() -> None:
    """Skip, saying why, where a folder cannot be mounted read-only (before the session's
    project is built for nothing)."""
    problem = read_only_mount_problem()
    if problem is not None:
        pytest.skip(f"cannot mount a folder read-only here: {problem}")


def read_only_mount_problem() -> str | None:
    """Why a folder cannot be made read-only here in a private mount namespace, or None.

    `unshare --mount` needs CAP_SYS_ADMIN and a root that is a mount point: a container
    without the capability, or a chroot (a container image being built), has neither,
    and says so in one line (e.g. "cannot change root filesystem propagation")."""
    if shutil.which("unshare") is None:
        return "unshare(1) is not installed"
    with tempfile.TemporaryDirectory() as folder:
        done = subprocess.run(
            ["unshare", "--mount", "sh", "-c", "mount --bind . . && mount -o remount,bind,ro ."],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    return None if done.returncode == 0 else done.stderr.strip() or f"exit {done.returncode}"


def test_read_only_presentations_is_one_line(read_only_mounts, project, tmp_path):
    copy = copy_project(project, tmp_path / "gqa")
    (copy / BUILD_PATH / "slides" / f"{STEM}.exported").unlink()  # the exports are rewritten
    mount_read_only = (
        "mount --bind presentations presentations && "
        "mount -o remount,bind,ro presentations && "
        f'exec "{sys.executable}" -m deck build --quality {QUALITY}'
    )
    done = subprocess.run(
        ["unshare", "--mount", "sh", "-c", mount_read_only],
        cwd=copy,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 1, done.stderr
    assert "cannot write to" in one_line(done.stderr) and "Read-only file system" in done.stderr
    assert list((copy / "presentations").glob(".*.tmp")) == []
