"""Render-speed benchmark: the deck from clean, after a one-slide edit (as a rebuild and,
at low quality, inside `deck watch`), with no change, and the original animation
(../shared/seed/seed_scene.py) at the same quality.

    uv run python bench/run.py [--quality low high] [--preset gqa-1b] [--no-seed]
                               [--seed PATH]

Writes bench/RESULTS.md (date, machine, commit, figures with their targets).
Not part of the test suite: it takes minutes, wipes build/<preset>/<quality> and
edits (then restores) one scene's source.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import queue
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import av

from deck import export
from deck.build.quality import QUALITIES
from deck.compat.manim_slides import slide_video
from deck.export import out_path
from deck.project import THIS_PROJECT
from deck.scenes import SCENE_NAMES
from deck.talk import Talk

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed" / "seed_scene.py"
RESULTS = ROOT / "bench" / "RESULTS.md"
FINDINGS = ROOT / "bench" / "findings.md"  # what the profiles showed; appended to RESULTS
# The edit a presenter makes while preparing a talk: one line of one card.
EDIT_FILE = ROOT / "deck" / "scenes" / "attention_weights.py"
EDIT_FROM, EDIT_TO = '"rows: queries"', '"rows: the queries"'
# The targets compare the clean build for a deck of the original animation's 16 slides
# (clean time × 16 / slides) with the original at the same quality.
TARGET_SLIDES = 16
TARGETS = {
    "clean": {"low": 0.45, "high": 0.4},
    "edit": 0.15,  # × the clean build
    "nochange_s": 2.0,
    "peak_gb": 1.5,
}
WATCH_QUALITY = "low"  # `deck watch` renders at 480p15 by default
WATCH_TIMEOUT = 600.0  # seconds: a rebuild that takes longer is a failed run


@dataclass
class Run:
    quality: str
    clean_s: float = 0.0
    edit_s: float = 0.0
    watch_s: float | None = None  # save → the served page changed, in `deck watch`
    watch_rebuild_s: float | None = None  # the rebuild alone, as `deck watch` reports it
    nochange_s: float = 0.0
    slides: int = 0
    frames: int = 0
    video_s: float = 0.0
    peak_bytes: int = 0  # the largest process of the deck's runs: deck, renders, exports
    exports: dict[str, int] = field(default_factory=dict)
    seed_s: float | None = None
    seed_frames: int = 0
    seed_video_s: float = 0.0
    seed_peak_bytes: int = 0

    @property
    def per_slide_s(self) -> float:
        return self.clean_s / self.slides

    @property
    def clean_16_s(self) -> float:
        """The clean build scaled to the original's slide count."""
        return self.clean_s * TARGET_SLIDES / self.slides


def timed(cmd: list[str], env: dict | None = None) -> tuple[float, int]:
    """Wall time of a command and the peak memory (bytes) of its largest process,
    itself or any process it started and waited for (wait4 reports both)."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise subprocess.CalledProcessError(proc.returncode, cmd)
    return seconds, usage.ru_maxrss * 1024


def video_stats(paths: list[Path]) -> tuple[int, float]:
    frames, seconds = 0, 0.0
    for path in paths:
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            frames += stream.frames
            seconds += float(stream.duration * stream.time_base)
    return frames, seconds


def deck_build(quality: str, preset: str) -> list[str]:
    return [sys.executable, "-m", "deck", "build", "--quality", quality, "--preset", preset]


def edited(source: str) -> str:
    if EDIT_FROM not in source:
        raise SystemExit(f"bench: {EDIT_FILE} no longer has {EDIT_FROM}: choose another edit")
    return source.replace(EDIT_FROM, EDIT_TO, 1)


def bench_deck(quality: str, preset: str) -> Run:
    run = Run(quality)
    shutil.rmtree(ROOT / "build" / preset / quality, ignore_errors=True)
    peaks = []

    def build() -> float:
        seconds, peak = timed(deck_build(quality, preset))
        peaks.append(peak)
        return seconds

    run.clean_s = build()
    where = THIS_PROJECT.build(Talk.for_preset(preset), quality)
    folder = where.slides
    slides = []
    for name in SCENE_NAMES:
        config = json.loads((folder / f"{name}.json").read_text())
        slides += [slide_video(folder / f"{name}.json", s["file"]) for s in config["slides"]]
    run.slides = len(slides)
    run.frames, run.video_s = video_stats(slides)
    run.exports = {fmt: out_path(where, fmt).stat().st_size for fmt in export.FORMATS}
    run.nochange_s = build()
    source = EDIT_FILE.read_text()
    try:
        EDIT_FILE.write_text(edited(source))
        run.edit_s = build()
    finally:
        EDIT_FILE.write_text(source)
    build()  # leave the build matching the source
    run.peak_bytes = max(peaks)
    if quality == WATCH_QUALITY:
        run.watch_s, run.watch_rebuild_s = bench_watch(quality, preset)
        build()  # the exports of every format again (the watcher writes the HTML only)
    return run


class Watcher:
    """`deck watch` on the project: its output lines and its page's events, timed."""

    def __init__(self, quality: str, preset: str):
        cmd = [sys.executable, "-m", "deck", "watch", "--quality", quality, "--preset", preset]
        self.proc = subprocess.Popen(
            [*cmd, "--port", "0"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.events: queue.Queue[tuple[float, str]] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def line(self, pattern: str) -> str:
        deadline = time.monotonic() + WATCH_TIMEOUT
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1.0)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            if re.search(pattern, line):
                return line
            if line.startswith("deck: "):
                raise SystemExit(f"bench: deck watch failed: {line}")
        raise SystemExit(f"bench: deck watch printed no line matching {pattern!r}")

    def listen(self, url: str) -> None:
        """Collect the page's server-sent events (name, time received) from now on."""
        opened = threading.Event()

        def stream() -> None:
            with urllib.request.urlopen(url + "events", timeout=WATCH_TIMEOUT) as response:
                opened.set()
                for raw in response:
                    text = raw.decode().strip()
                    if text.startswith("event: "):
                        self.events.put((time.perf_counter(), text.removeprefix("event: ")))

        threading.Thread(target=stream, daemon=True).start()
        opened.wait(timeout=30)

    def event(self, name: str) -> float:
        deadline = time.monotonic() + WATCH_TIMEOUT
        while time.monotonic() < deadline:
            try:
                at, event = self.events.get(timeout=1.0)
            except queue.Empty:
                continue
            if event == name:
                return at
            if event == "failed":
                raise SystemExit("bench: the rebuild inside deck watch failed")
        raise SystemExit(f"bench: deck watch sent no {name!r} event")

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGINT)
        self.proc.wait(timeout=60)


def page_digest(url: str) -> str:
    with urllib.request.urlopen(url, timeout=60) as response:
        return hashlib.sha256(response.read()).hexdigest()


def bench_watch(quality: str, preset: str) -> tuple[float, float]:
    """Seconds from saving a one-line edit to `deck watch` serving the changed page (its
    reload event, then the page fetched), and the rebuild's own time as it reports it."""
    watcher = Watcher(quality, preset)
    source = EDIT_FILE.read_text()
    try:
        url = watcher.line(r"^serving http://").split()[1]
        watcher.line(r"^rebuilt in")  # the first build: the deck as the source stands
        watcher.listen(url)
        before = page_digest(url)
        saved = time.perf_counter()
        EDIT_FILE.write_text(edited(source))
        watcher.event("reload")
        changed = page_digest(url)
        served = time.perf_counter() - saved
        rebuilt = float(watcher.line(r"^rebuilt in").split()[2])
        if changed == before:
            raise SystemExit("bench: deck watch reloaded the page but served the same deck")
    finally:
        EDIT_FILE.write_text(source)
    try:
        watcher.event("reload")  # rebuilt from the restored source
    finally:
        watcher.stop()
    return served, rebuilt


def tex_available() -> bool:
    return all(shutil.which(tool) for tool in ("latex", "dvisvgm"))


def bench_seed(run: Run, seed: Path) -> None:
    """Render the original animation as it was measured: manim's cache off."""
    flag = {"low": "l", "medium": "m", "high": "h", "4k": "k"}[run.quality]
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "manim", "render", f"-q{flag}", "--disable_caching"]
        cmd += ["--progress_bar", "none", "--media_dir", tmp, str(seed), "Transformer"]
        run.seed_s, run.seed_peak_bytes = timed(cmd)
        videos = [p for p in Path(tmp).rglob("Transformer.mp4") if "partial" not in str(p)]
        run.seed_frames, run.seed_video_s = video_stats(videos)


def check(ok: bool) -> str:
    return "✓" if ok else "✗"


def report(runs: list[Run], preset: str, seed_note: str, load: tuple[float, float]) -> str:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True, capture_output=True
    ).stdout.strip()
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    lines = [
        "# Render benchmark",
        "",
        f"- date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}",
        f"- machine: {os.cpu_count()} cores ({cpu}), {platform.system()} {platform.release()}",
        f"- commit: {commit} · preset {preset} · `deck build` with --jobs {os.cpu_count()}",
        f"- seed comparison: {seed_note}",
        f"- load average (1 min) at the start and the end: {load[0]:.1f} · {load[1]:.1f} "
        "(other work shares the machine: every figure is a single run)",
        "",
        "| | "
        + " | ".join(
            f"{r.quality} ({QUALITIES[r.quality].height}p{QUALITIES[r.quality].fps})" for r in runs
        )
        + " | target |",
        "|---|" + "---|" * len(runs) + "---|",
    ]

    def row(label: str, cells: list[str], target: str = "") -> None:
        lines.append(f"| {label} | " + " | ".join(cells) + f" | {target} |")

    def ratio(value: float, target: float) -> str:
        return f"{value:.2f} {check(value <= target)}"

    def per_clean(r: Run, seconds: float | None) -> str:
        if seconds is None:
            return "–"
        share = seconds / r.clean_s
        return f"{seconds:.1f} s = {share:.2f} × clean {check(share <= TARGETS['edit'])}"

    row("slides · frames · video", [f"{r.slides} · {r.frames} · {r.video_s:.1f} s" for r in runs])
    row("clean build (render + export)", [f"{r.clean_s:.1f} s" for r in runs])
    row("… per slide", [f"{r.per_slide_s:.2f} s" for r in runs])
    row(
        f"… for {TARGET_SLIDES} slides (× {TARGET_SLIDES} / slides)",
        [f"{r.clean_16_s:.1f} s" for r in runs],
    )
    row("frames per second (clean)", [f"{r.frames / r.clean_s:.1f}" for r in runs])
    row(
        "original animation",
        [
            f"{r.seed_s:.1f} s · {r.seed_frames} frames · {r.seed_video_s:.1f} s"
            if r.seed_s
            else "not run"
            for r in runs
        ],
    )
    row(
        f"clean build for {TARGET_SLIDES} slides ÷ original",
        [
            ratio(r.clean_16_s / r.seed_s, TARGETS["clean"].get(r.quality, 0.4))
            if r.seed_s
            else "–"
            for r in runs
        ],
        " · ".join(f"≤ {t} at {q}" for q, t in TARGETS["clean"].items()),
    )
    row(
        "one card's text edited → new HTML: `deck build`",
        [per_clean(r, r.edit_s) for r in runs],
        f"≤ {TARGETS['edit']} × clean",
    )
    row(
        "… inside `deck watch` (save → page served)",
        [per_clean(r, r.watch_s) for r in runs],
        f"≤ {TARGETS['edit']} × clean",
    )
    row(
        "… of which the watcher's rebuild",
        [f"{r.watch_rebuild_s:.1f} s" if r.watch_rebuild_s else "–" for r in runs],
    )
    row(
        "rebuild with no change",
        [f"{r.nochange_s:.1f} s {check(r.nochange_s <= TARGETS['nochange_s'])}" for r in runs],
        f"≤ {TARGETS['nochange_s']:.0f} s",
    )
    row(
        "peak memory of any process (deck, render, export)",
        [
            f"{r.peak_bytes / 2**30:.2f} GB {check(r.peak_bytes / 2**30 <= TARGETS['peak_gb'])}"
            for r in runs
        ],
        f"≤ {TARGETS['peak_gb']} GB",
    )
    row(
        "original animation's peak memory",
        [f"{r.seed_peak_bytes / 2**30:.2f} GB" if r.seed_s else "–" for r in runs],
    )
    row(
        "exports: " + " · ".join(export.FORMATS),
        [" · ".join(f"{r.exports[f] / 2**20:.1f} MiB" for f in export.FORMATS) for r in runs],
    )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality", nargs="+", default=["low", "high"], choices=list(QUALITIES))
    parser.add_argument("--preset", default="demo-1b")
    parser.add_argument("--no-seed", action="store_true", help="skip the original animation")
    parser.add_argument(
        "--seed",
        type=Path,
        default=SEED,
        help=f"the original animation's source (default {SEED}; from a git worktree, the "
        "main checkout's ../shared/seed/seed_scene.py)",
    )
    args = parser.parse_args()
    seed = args.seed
    if args.no_seed:
        seed_note = "skipped (--no-seed)"
    elif not seed.exists():
        seed_note = f"skipped: {seed} not found"
    elif not tex_available():
        seed_note = (
            "skipped: the original animation uses MathTex, which needs TeX "
            "(apt-get install texlive-latex-base texlive-latex-extra dvisvgm)"
        )
    else:
        seed_note = "rendered in the same run, manim's cache off, as in its baseline"
    if seed_note.startswith("skipped"):
        print(seed_note, flush=True)
    runs = []
    load_before = os.getloadavg()[0]
    for quality in args.quality:
        print(f"benchmarking {quality} …", flush=True)
        run = bench_deck(quality, args.preset)
        if seed_note.startswith("rendered"):
            bench_seed(run, seed)
        runs.append(run)
    text = report(runs, args.preset, seed_note, (load_before, os.getloadavg()[0]))
    if FINDINGS.exists():
        text += "\n" + FINDINGS.read_text()
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
