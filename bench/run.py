"""Render-speed benchmark: the deck from clean, after a one-slide edit, with no change,
and the original animation (../shared/seed/seed_scene.py) at the same quality.

    uv run python bench/run.py [--quality low high] [--preset gqa-1b] [--no-seed]

Writes bench/RESULTS.md (date, machine, commit, figures with their targets).
Not part of the test suite: it takes minutes and wipes build/<preset>/<quality>.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import av

from deck import compat, render
from deck.cli import PRESENTATIONS, export_stem
from deck.quality import QUALITIES
from deck.scenes import SCENE_NAMES

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed" / "seed_scene.py"
RESULTS = ROOT / "bench" / "RESULTS.md"
FINDINGS = ROOT / "bench" / "findings.md"  # what the profiles showed; appended to RESULTS
# The edit a presenter makes while preparing a talk: one line of one card.
EDIT_FILE = ROOT / "deck" / "scenes" / "attention_weights.py"
EDIT_FROM, EDIT_TO = '"rows: queries"', '"rows: the queries"'
TARGETS = {"clean": 0.5, "edit": 0.15, "nochange_s": 10.0, "peak_gb": 1.5}


@dataclass
class Run:
    quality: str
    clean_s: float = 0.0
    edit_s: float = 0.0
    nochange_s: float = 0.0
    slides: int = 0
    frames: int = 0
    video_s: float = 0.0
    peak_bytes: int = 0
    exports: dict[str, int] = field(default_factory=dict)
    seed_s: float | None = None
    seed_frames: int = 0
    seed_video_s: float = 0.0
    seed_peak_bytes: int = 0


def timed(cmd: list[str], env: dict | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(
        cmd, cwd=ROOT, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    return time.perf_counter() - start


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


def bench_deck(quality: str, preset: str) -> Run:
    run = Run(quality)
    shutil.rmtree(ROOT / "build" / preset / quality, ignore_errors=True)
    run.clean_s = timed(deck_build(quality, preset))
    folder = render.slides_dir(preset, quality)
    slides = []
    for name in SCENE_NAMES:
        config = json.loads((folder / f"{name}.json").read_text())
        slides += [compat.slide_video(folder / f"{name}.json", s["file"]) for s in config["slides"]]
        stats = json.loads(render.stats_path(preset, quality, name).read_text())
        run.peak_bytes = max(run.peak_bytes, stats["peak_rss_bytes"])
    run.slides = len(slides)
    run.frames, run.video_s = video_stats(slides)
    stem = export_stem(preset)
    run.exports = {
        ext: (PRESENTATIONS / f"{stem}.{ext}").stat().st_size for ext in ("html", "pdf", "pptx")
    }
    run.nochange_s = timed(deck_build(quality, preset))
    source = EDIT_FILE.read_text()
    try:
        EDIT_FILE.write_text(source.replace(EDIT_FROM, EDIT_TO, 1))
        run.edit_s = timed(deck_build(quality, preset))
    finally:
        EDIT_FILE.write_text(source)
    timed(deck_build(quality, preset))  # leave the build matching the source
    return run


def tex_available() -> bool:
    return all(shutil.which(tool) for tool in ("latex", "dvisvgm"))


def bench_seed(run: Run) -> None:
    """Render the original animation as it was measured: manim's cache off."""
    flag = {"low": "l", "medium": "m", "high": "h", "4k": "k"}[run.quality]
    with tempfile.TemporaryDirectory() as tmp:
        stats = Path(tmp) / "rss"
        wrapper = (
            "import resource, runpy, sys\n"
            f"sys.argv = ['manim', 'render', '-q{flag}', '--disable_caching', "
            f"'--progress_bar', 'none', '--media_dir', {tmp!r}, {str(SEED)!r}, 'Transformer']\n"
            "try:\n    runpy.run_module('manim', run_name='__main__')\n"
            "except SystemExit:\n    pass\n"
            f"open({str(stats)!r}, 'w').write(str(resource.getrusage("
            "resource.RUSAGE_SELF).ru_maxrss * 1024))\n"
        )
        run.seed_s = timed([sys.executable, "-c", wrapper])
        videos = [p for p in Path(tmp).rglob("Transformer.mp4") if "partial" not in str(p)]
        run.seed_frames, run.seed_video_s = video_stats(videos)
        run.seed_peak_bytes = int(stats.read_text())


def check(ok: bool) -> str:
    return "✓" if ok else "✗"


def report(runs: list[Run], preset: str, seed_note: str) -> str:
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

    row("slides · frames · video", [f"{r.slides} · {r.frames} · {r.video_s:.1f} s" for r in runs])
    row("clean build (render + export)", [f"{r.clean_s:.1f} s" for r in runs])
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
        "clean build ÷ original",
        [
            f"{r.clean_s / r.seed_s:.2f} {check(r.clean_s / r.seed_s <= TARGETS['clean'])}"
            if r.seed_s
            else "–"
            for r in runs
        ],
        f"≤ {TARGETS['clean']}",
    )
    row(
        "re-render after a one-line edit",
        [
            f"{r.edit_s:.1f} s = {r.edit_s / r.clean_s:.2f} × clean "
            f"{check(r.edit_s / r.clean_s <= TARGETS['edit'])}"
            for r in runs
        ],
        f"≤ {TARGETS['edit']} × clean",
    )
    row(
        "rebuild with no change",
        [f"{r.nochange_s:.1f} s {check(r.nochange_s <= TARGETS['nochange_s'])}" for r in runs],
        f"≤ {TARGETS['nochange_s']:.0f} s",
    )
    row(
        "peak memory per render process",
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
        "exports: html · pdf · pptx",
        [
            " · ".join(f"{r.exports[e] / 2**20:.1f} MiB" for e in ("html", "pdf", "pptx"))
            for r in runs
        ],
    )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quality", nargs="+", default=["low", "high"], choices=list(QUALITIES))
    parser.add_argument("--preset", default="gqa-1b")
    parser.add_argument("--no-seed", action="store_true", help="skip the original animation")
    args = parser.parse_args()
    if args.no_seed:
        seed_note = "skipped (--no-seed)"
    elif not SEED.exists():
        seed_note = f"skipped: {SEED} not found"
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
    for quality in args.quality:
        print(f"benchmarking {quality} …", flush=True)
        run = bench_deck(quality, args.preset)
        if seed_note.startswith("rendered"):
            bench_seed(run)
        runs.append(run)
    text = report(runs, args.preset, seed_note)
    if FINDINGS.exists():
        text += "\n" + FINDINGS.read_text()
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
