"""The `deck` command: build, present, list, info, doctor."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import NoReturn

from deck.hfconfig import load_config
from deck.model import DEFAULT_PRESET, PRESETS, Model, get_preset
from deck.talk import Talk

ROOT = Path(__file__).resolve().parents[1]
PRESENTATIONS = ROOT / "presentations"
BUILD_NEEDS = ("pango", "manimpango", "font", "revealjs")


class Parser(argparse.ArgumentParser):
    """Errors in one line (no usage block), exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"deck: error: {message}\n")


def export_stem(slug: str) -> str:
    """`gqa` for the default talk; `gqa-<model>[-<theme>]` for any other."""
    return "gqa" if slug == DEFAULT_PRESET else f"gqa-{slug}"


def _scenes(names: list[str]) -> list[type]:
    from deck.scenes import SCENES

    by_name = {s.__name__: s for s in SCENES}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise SystemExit(
            _usage_error(f"unknown scene {unknown[0]!r}; choose from: {', '.join(by_name)}")
        )
    return [by_name[n] for n in names] if names else list(SCENES)


def _usage_error(message: str) -> int:
    print(f"deck: error: {message}", file=sys.stderr)
    return 2


class ProgressLine:
    """One line per event for the whole build: scenes done / to do, and elapsed time."""

    def __init__(self, total: int):
        self.total, self.done, self.start = total, 0, time.perf_counter()

    def __call__(self, scene: str, event: str, seconds: float) -> None:
        if event in ("rendered", "unchanged", "failed"):
            self.done += 1
        took = f" in {seconds:.0f} s" if event == "rendered" else ""
        elapsed = time.perf_counter() - self.start
        print(
            f"[{self.done}/{self.total} scenes · {elapsed:5.0f} s] {scene} {event}{took}",
            flush=True,
        )


def build(
    talk: Talk,
    quality: str,
    jobs: int,
    scene_names: list[str],
    formats: tuple[str, ...] = ("html", "pdf", "pptx"),
) -> int:
    from deck import doctor, export, render

    model = talk.model
    scenes = _scenes(scene_names)
    doctor.require(BUILD_NEEDS)
    progress = ProgressLine(len(scenes))
    print(
        f"building {len(scenes)} scene(s) of {model.title} at {quality} quality with {jobs} job(s)",
        flush=True,
    )
    render.render_scenes(scenes, talk, quality, jobs, progress)
    if scene_names:  # a partial build renders only; exports always hold the whole deck
        print("rendered; run `deck build` without scene names to export the whole deck")
        return 0
    from deck.scenes import SCENE_NAMES, live_slides

    start = time.perf_counter()
    live = {"interactive": live_slides(talk)}  # the HTML deck's live slides and their data
    args = (
        SCENE_NAMES,
        render.slides_dir(talk.slug, quality),
        PRESENTATIONS,
        export_stem(talk.slug),
        formats,
    )
    if export.up_to_date(*args, **live):
        print(
            f"exports are up to date (presentations/{export_stem(talk.slug)}.*); "
            f"total {time.perf_counter() - progress.start:.0f} s"
        )
        return 0
    outputs = export.export(*args, **live)
    took = time.perf_counter() - start
    for path in outputs:
        print(f"wrote {path.relative_to(ROOT)} ({path.stat().st_size / 2**20:.1f} MiB)")
    print(f"exported in {took:.0f} s; total {time.perf_counter() - progress.start:.0f} s")
    return 0


def present(talk: Talk, quality: str, jobs: int, info_window: bool) -> int:
    from deck import doctor, render
    from deck.scenes import SCENE_NAMES, SCENES

    doctor.require(("qt",))
    stale = [s for s in SCENES if not render.is_fresh(s, talk, quality)]
    if stale:
        print(f"rendering {len(stale)} missing or changed scene(s) first", flush=True)
        render.render_scenes(SCENES, talk, quality, jobs, ProgressLine(len(SCENES)))
    cmd = [
        sys.executable,
        "-m",
        "manim_slides",
        "present",
        "--folder",
        str(render.slides_dir(talk.slug, quality)),
        *SCENE_NAMES,
    ]
    if info_window:
        cmd.append("--show-info-window")
    return subprocess.call(cmd)


def list_slides(model: Model) -> int:
    from deck.scenes import SCENES, placement

    for scene in SCENES:
        where = placement(scene)
        section = f"{where.section} · {scene.SECTION}" if scene.SECTION else "title"
        count = scene.slide_count()
        print(f"{scene.__name__} — {section} ({count} slide{'s' * (count != 1)})")
        for offset, name in enumerate(scene.beat_names()):
            notes = scene.notes_for(name, model)
            first = notes.split(". ")[0].rstrip(".")
            print(f"  {where.first_slide + offset:>3}. {name}: {first}.")
    return 0


def make_parser() -> Parser:
    from deck.render import DEFAULT_QUALITY, QUALITIES

    parser = Parser(prog="deck", description="Build and present the GQA slide deck.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    def add_model_choice(p: argparse.ArgumentParser) -> None:
        which = p.add_mutually_exclusive_group()
        which.add_argument(
            "--preset",
            default=DEFAULT_PRESET,
            choices=list(PRESETS),
            help=f"model preset (default {DEFAULT_PRESET})",
        )
        which.add_argument(
            "--model",
            metavar="PATH",
            help="a Hugging Face transformers config.json, or its folder "
            "(llama, mistral, qwen2, qwen3, gemma2)",
        )
        p.add_argument(
            "--name",
            help="the model's name on the slides (with --model; default: the config's "
            "_name_or_path, else its folder)",
        )

    def add_model_options(p: argparse.ArgumentParser) -> None:
        add_model_choice(p)
        p.add_argument(
            "--quality",
            default=DEFAULT_QUALITY,
            choices=list(QUALITIES),
            help=f"render quality (default {DEFAULT_QUALITY}: 1080p60)",
        )
        p.add_argument(
            "--jobs",
            type=int,
            default=os.cpu_count() or 1,
            help="scenes rendered in parallel (default: number of cores)",
        )

    b = sub.add_parser("build", help="render the scenes and export HTML, PDF and PPTX")
    add_model_options(b)
    b.add_argument("scenes", nargs="*", metavar="SCENE", help="render only these scenes")
    p = sub.add_parser("present", help="present live (renders what is missing first)")
    add_model_options(p)
    p.add_argument(
        "--info-window",
        action="store_true",
        help="show the notes window (on a second screen if there is one)",
    )
    lst = sub.add_parser("list", help="scenes, slides and the first line of their notes")
    add_model_choice(lst)
    info = sub.add_parser("info", help="the model's figures: parameters, shapes, KV cache")
    add_model_choice(info)
    sub.add_parser("doctor", help="check system dependencies and assets")
    return parser


def resolve_model(args: argparse.Namespace) -> Model:
    """The model the command is about: `--model` config.json (titled `--name`) or `--preset`.

    Raises `ConfigError` (one line naming the file) for a config the deck cannot model,
    and `ValueError` for `--name` without `--model`.
    """
    if args.model is None:
        if args.name is not None:
            raise ValueError("--name goes with --model (a preset has its own name)")
        return get_preset(args.preset)
    return load_config(args.model, args.name)


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    if args.command == "doctor":
        from deck import doctor

        return doctor.main()
    from deck.doctor import MissingDependency
    from deck.export import ExportError
    from deck.render import RenderError

    try:
        model = resolve_model(args)
    except ValueError as err:  # ConfigError included: one line naming the file and the reason
        return _usage_error(str(err))
    try:
        if args.command == "info":
            from deck.info import describe

            print(describe(model))
            return 0
        if args.command == "list":
            return list_slides(model)
        if args.jobs < 1:
            return _usage_error(f"--jobs must be at least 1, got {args.jobs}")
        if args.command == "build":
            return build(Talk(model), args.quality, args.jobs, args.scenes)
        return present(Talk(model), args.quality, args.jobs, args.info_window)
    except (MissingDependency, RenderError, ExportError) as err:
        print(f"deck: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("deck: interrupted; previous exports are untouched", file=sys.stderr)
        return 130
