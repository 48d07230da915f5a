"""The `deck` command: build, present, list, info, doctor."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import NoReturn

from deck import theme
from deck.content.hfconfig import load_config
from deck.content.model import DEFAULT_PRESET, PRESETS, Model, get_preset, preset_name
from deck.talk import Talk
from deck.talk.file import TalkFile, read_talk_file

ROOT = Path(__file__).resolve().parents[1]
PRESENTATIONS = ROOT / "presentations"
DEFAULT_TALK = ROOT / "talk.toml"
BUILD_NEEDS = ("pango", "manimpango", "font", "revealjs", "handout-font")
BROKEN_PIPE = 141  # 128 + SIGPIPE: what a command killed by a closed pipe exits with


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
        took = {
            "rendered": f" in {seconds:.0f} s",
            "unchanged": f" (output checked in {1000 * seconds:.0f} ms)",
        }.get(event, "")
        elapsed = time.perf_counter() - self.start
        print(
            f"[{self.done}/{self.total} scenes · {elapsed:5.0f} s] {scene} {event}{took}",
            flush=True,
        )


def _waiting(message: str) -> None:
    print(f"deck: {message}", file=sys.stderr, flush=True)


def export_options(talk: Talk):
    """What the exports say about the talk: title, speaker, date, length, references,
    and the HTML deck's live slides."""
    from deck.content.sources import REFERENCES
    from deck.export import ExportOptions
    from deck.scenes import live_slides

    return ExportOptions(
        title=talk.title,
        author=talk.speaker,
        subject=talk.subtitle or talk.model.title,
        date=talk.date,
        minutes=talk.minutes,
        references=tuple(r.citation() for r in REFERENCES),
        interactive=live_slides(talk),
    )


def build(
    talk: Talk,
    quality: str,
    jobs: int,
    scene_names: list[str],
    formats: tuple[str, ...] | None = None,
    *,
    wait: bool = True,
) -> int:
    from deck.build import render
    from deck.build.buildlock import held
    from deck.commands import doctor

    named = list(dict.fromkeys(_scenes(scene_names))) if scene_names else []  # once each
    with held(render.build_dir(talk.slug, quality), wait=wait, waiting=_waiting):
        if not named and _nothing_to_do(talk, quality, formats):
            return 0
        doctor.require(BUILD_NEEDS)
        scenes = named or _scenes([])
        return _build_locked(talk, quality, jobs, scenes, bool(named), formats)


def _outputs(talk: Talk, formats: tuple[str, ...]) -> list[Path]:
    from deck import export

    return [export.out_path(PRESENTATIONS, export_stem(talk.slug), f) for f in formats]


def _nothing_to_do(talk: Talk, quality: str, formats: tuple[str, ...] | None) -> bool:
    """A whole-deck build with nothing changed since the last one: said in the usual
    lines, before manim is imported (deck/build/uptodate.py)."""
    from deck import export
    from deck.build import render, uptodate
    from deck.system import atomic

    start = time.perf_counter()
    formats = formats or export.FORMATS
    build = render.build_dir(talk.slug, quality)
    scenes = uptodate.scenes_if_unchanged(build, _outputs(talk, formats), talk, quality, formats)
    if scenes is None:
        return False
    # what a killed build left, as the full build would remove
    atomic.discard_stale_in([build, build / "slides", render.beats_dir(talk.slug, quality)])
    atomic.discard_stale(PRESENTATIONS, export_stem(talk.slug))
    progress = ProgressLine(len(scenes))
    checked = (time.perf_counter() - start) / max(len(scenes), 1)
    for name in scenes:
        progress(name, "unchanged", checked)
    _exports_are_up_to_date(talk, progress)
    return True


def _build_locked(
    talk: Talk,
    quality: str,
    jobs: int,
    scenes: list[type],
    partial: bool,
    formats: tuple[str, ...],
) -> int:
    from deck import export
    from deck.build import render, uptodate
    from deck.system import atomic

    jobs = min(jobs, len(scenes))
    progress = ProgressLine(len(scenes))
    print(
        f"building {len(scenes)} scene(s) of {talk.model.title} at {quality} quality "
        f"with up to {jobs} job(s)",
        flush=True,
    )
    render.render_scenes(scenes, talk, quality, jobs, progress)
    if partial:  # a partial build renders only; exports always hold the whole deck
        print("rendered; run `deck build` without scene names to export the whole deck")
        return 0
    from deck.scenes import SCENE_NAMES

    start = time.perf_counter()
    formats = formats or export.FORMATS
    args = (
        SCENE_NAMES,
        render.slides_dir(talk.slug, quality),
        PRESENTATIONS,
        export_stem(talk.slug),
        formats,
    )
    atomic.discard_stale(PRESENTATIONS, export_stem(talk.slug))  # a killed export's temps
    options = export_options(talk)
    if export.up_to_date(*args, options=options):
        _exports_are_up_to_date(talk, progress)
    else:
        outputs = export.export(
            *args, options=options, pictures_dir=render.pictures_dir(talk.slug, quality)
        )
        took = time.perf_counter() - start
        for path in outputs:
            shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            print(f"wrote {shown} ({path.stat().st_size / 2**20:.1f} MiB)")
        print(f"exported in {took:.0f} s; total {time.perf_counter() - progress.start:.0f} s")
    build = render.build_dir(talk.slug, quality)
    uptodate.record(build, _outputs(talk, formats), SCENE_NAMES, talk, quality, formats)
    return 0


def _exports_are_up_to_date(talk: Talk, progress: ProgressLine) -> None:
    print(
        f"exports are up to date (presentations/{export_stem(talk.slug)}*); "
        f"total {time.perf_counter() - progress.start:.0f} s"
    )


NO_DISPLAY = (
    "no display: `deck present` needs a graphical session (DISPLAY or WAYLAND_DISPLAY is "
    "unset); without one, export with `deck build` and open the HTML in presentations/"
)


def has_display() -> bool:
    """Whether the presenter can open a window (an explicit Qt platform is trusted)."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


class PresenterFailed(RuntimeError):
    """The presenter exited with an error; the message is one line."""


def present(
    talk: Talk,
    quality: str,
    jobs: int,
    info_window: bool,
    start_at: int = 1,
    *,
    wait: bool = True,
) -> int:
    from deck.build import render
    from deck.build.buildlock import held
    from deck.commands import doctor
    from deck.commands import present as presenter
    from deck.scenes import SCENE_NAMES, SCENES, total_slides

    if not 1 <= start_at <= total_slides():
        return _usage_error(
            f"--start-at must be a slide from 1 to {total_slides()}, got {start_at}"
        )
    doctor.require(("qt",))
    if not has_display():
        raise PresenterFailed(NO_DISPLAY)
    with held(render.build_dir(talk.slug, quality), wait=wait, waiting=_waiting):
        stale = [s for s in SCENES if not render.is_fresh(s, talk, quality)]
        if stale:
            print(f"rendering {len(stale)} missing or changed scene(s) first", flush=True)
            render.render_scenes(SCENES, talk, quality, jobs, ProgressLine(len(SCENES)))
        slides = render.slides_dir(talk.slug, quality)
        try:
            folder = presenter.prepare(slides, SCENE_NAMES, slides.parent / "present")
        except presenter.PresentError as err:
            raise PresenterFailed(str(err)) from None
    cmd = presenter.command(folder, start_at=start_at, info_window=info_window)
    code = subprocess.call(cmd, env=presenter.environment())
    if code != 0:
        raise PresenterFailed(f"the presenter stopped with exit code {code}: run `deck doctor`")
    return 0


def list_slides(model: Model) -> int:
    """Every section with its slides, the words of its notes and how long they take to
    say; every slide with the first sentence of its notes; the talk's total last."""
    from deck.export.pacing import WORDS_PER_MINUTE, speaking_minutes, words
    from deck.scenes import SCENES, placement

    total_words = 0
    for scene in SCENES:
        where = placement(scene)
        section = f"{where.section} · {scene.SECTION}" if scene.SECTION else "title"
        count = scene.slide_count()
        notes = [scene.notes_for(name, model) for name in scene.beat_names()]
        said = sum(words(n) for n in notes)
        total_words += said
        print(
            f"{scene.__name__} — {section} ({count} slide{'s' * (count != 1)}, "
            f"{said:,} words, {speaking_minutes(said):.1f} min)"
        )
        for offset, (name, text) in enumerate(zip(scene.beat_names(), notes, strict=True)):
            first = text.split(". ")[0].rstrip(".")
            print(f"  {where.first_slide + offset:>3}. {name}: {first}.")
    slides = sum(s.slide_count() for s in SCENES)
    print(
        f"Total: {slides} slides, {total_words:,} words, "
        f"{speaking_minutes(total_words):.1f} min at {WORDS_PER_MINUTE} words a minute"
    )
    return 0


def add_talk_options(p: argparse.ArgumentParser) -> None:
    """--talk, --theme and the model (--preset | --model, --name): what `resolve_talk` reads."""
    p.add_argument(
        "--talk",
        metavar="FILE",
        type=Path,
        help="the talk file: title, speaker, event, date, model, theme "
        "(default: talk.toml in the project; the options below override it)",
    )
    p.add_argument(
        "--theme",
        choices=list(theme.THEMES),
        help="colours: dark, or light for projectors in bright rooms (default: the talk's)",
    )
    which = p.add_mutually_exclusive_group()
    which.add_argument(
        "--preset",
        type=preset_name,  # a former name (gqa-1b) still works
        choices=list(PRESETS),
        help=f"model preset (default: the talk's model, else {DEFAULT_PRESET})",
    )
    which.add_argument(
        "--model",
        metavar="PATH",
        help="a Hugging Face transformers config.json, or its folder "
        "(llama, mistral, qwen2, qwen3, gemma2)",
    )
    p.add_argument(
        "--name",
        help="the model's name on the slides, for a config.json model (--model or the "
        "talk file's; default: the config's _name_or_path, else its folder)",
    )


def watch(args: argparse.Namespace, talk: Talk) -> int:
    """`deck watch`: the watcher (deck/commands/watch.py) with a rebuild that writes the HTML."""
    import threading

    from deck.commands import doctor
    from deck.commands import watch as live

    doctor.require(BUILD_NEEDS)
    live.warm_up()
    quality, jobs = args.quality, args.jobs
    # besides deck/: the talk file and the model's config.json, when there are
    talk_file = args.talk if args.talk is not None else DEFAULT_TALK
    from_config = talk.model.name not in PRESETS  # a config.json's model names its file
    extra = [talk_file, *([Path(talk.model.source)] if from_config else [])]

    def rebuild() -> str:
        # runs in a forked child that imports the deck afresh: resolve the talk again
        from deck import cli

        fresh = cli.resolve_talk(args)
        with contextlib.redirect_stdout(sys.stderr):
            cli.build(fresh, quality, jobs, [], formats=("html",))
        return f"presentations/{cli.export_stem(fresh.slug)}.html"

    html = PRESENTATIONS / f"{export_stem(talk.slug)}.html"
    try:
        watcher = live.Watch(ROOT, html, rebuild, args.port)
    except OSError as err:
        message = f"cannot serve on port {args.port}: {err.strerror}"
        raise SystemExit(_usage_error(message)) from None
    stop = threading.Event()
    try:
        watcher.run(extra, stop)
    except KeyboardInterrupt:
        stop.set()
    finally:
        watcher.close()
    print("deck: watch stopped", file=sys.stderr)
    return 0


def make_parser() -> Parser:
    from deck.build.quality import DEFAULT_QUALITY, QUALITIES

    parser = Parser(prog="deck", description="Build and present the GQA slide deck.")
    sub = parser.add_subparsers(dest="command", parser_class=Parser)

    def add_model_options(p: argparse.ArgumentParser) -> None:
        add_talk_options(p)
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
        p.add_argument(
            "--no-wait",
            action="store_true",
            help="if another build is using the same build folder, exit (code 2) "
            "instead of waiting for it",
        )

    b = sub.add_parser("build", help="render the scenes and export HTML, PDF, PPTX and the handout")
    add_model_options(b)
    b.add_argument("scenes", nargs="*", metavar="SCENE", help="render only these scenes")
    b.add_argument(
        "--minutes",
        type=float,
        metavar="M",
        help="the talk's length: the HTML speaker view (S) paces each slide by its notes",
    )
    p = sub.add_parser("present", help="present live (renders what is missing first)")
    add_model_options(p)
    p.add_argument(
        "--info-window",
        action="store_true",
        help="show the notes window (on a second screen if there is one)",
    )
    p.add_argument(
        "--start-at",
        type=int,
        default=1,
        metavar="N",
        help="start at slide N (the number in the slides' corner), e.g. to rehearse a part",
    )
    w = sub.add_parser("watch", help="rebuild on every save; serve the deck and reload it")
    add_model_options(w)
    w.set_defaults(quality="low")
    w.add_argument(
        "--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000; 0: any free)"
    )
    lst = sub.add_parser("list", help="scenes, slides and the first line of their notes")
    add_talk_options(lst)
    info = sub.add_parser("info", help="the model's figures: parameters, shapes, KV cache")
    add_talk_options(info)
    sub.add_parser("doctor", help="check system dependencies and assets")
    return parser


def resolve_model(args: argparse.Namespace, talk_file: TalkFile | None = None) -> Model:
    """The model the command is about: `--model` config.json (titled `--name`), else
    `--preset`, else the talk file's model (`--name` renames a config.json one), else the
    default preset.

    Raises `ConfigError` or `TalkFileError` (one line naming the file) for a config the
    deck cannot model, and `ValueError` for `--name` without a config.json model.
    """
    if args.model is not None:
        return load_config(args.model, args.name)
    if args.preset is None and talk_file is not None and talk_file.config is not None:
        return talk_file.model(args.name)
    if args.name is not None:
        raise ValueError("--name goes with --model (a preset has its own name)")
    if args.preset is not None:
        return get_preset(args.preset)
    from_file = talk_file.model() if talk_file is not None else None
    return from_file or get_preset(DEFAULT_PRESET)


def resolve_talk(args: argparse.Namespace) -> Talk:
    """The talk the command is about. Precedence: the command line's options (--preset,
    --model, --name, --theme), then the talk file (`--talk`, else the project's talk.toml
    when it exists), then the defaults of `Talk`.

    Raises `ValueError` (`TalkFileError`, `ConfigError`: one line naming the file).
    """
    path = args.talk if args.talk is not None else DEFAULT_TALK
    talk_file = read_talk_file(path) if args.talk is not None or path.exists() else None
    details = dict(talk_file.details) if talk_file is not None else {}
    if args.theme is not None:
        details["theme"] = args.theme
    return Talk(resolve_model(args, talk_file), **details)


def main(argv: list[str] | None = None) -> int:
    """The `deck` command. Every failure is one line on stderr without a traceback: exit
    code 1, or 2 for bad usage, 130 for Ctrl-C (at any moment, start-up included)."""
    try:
        code = _run(argv)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except KeyboardInterrupt:
        print("deck: interrupted; previous exports are untouched", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `deck list | head`: the reader has what it wanted; nothing more to say
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return BROKEN_PIPE
    except ModuleNotFoundError as err:
        if (err.name or "deck").partition(".")[0] == "deck":
            raise
        print(
            f"deck: the Python package {err.name!r} is missing: this Python is not the "
            "project's environment; run `bash scripts/setup.sh`, then `.venv/bin/deck` "
            "(or `uv run deck`)",
            file=sys.stderr,
        )
        return 1
    except OSError as err:  # a read-only or full disk, a folder that is a file, ...
        where = f" ({err.filename})" if err.filename else ""
        print(f"deck: {err.strerror or err}{where}", file=sys.stderr)
        return 1


def _run(argv: list[str] | None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    if args.command == "doctor":
        from deck.commands import doctor

        return doctor.main()
    try:
        talk = resolve_talk(args)
    except ValueError as err:  # TalkFileError, ConfigError: one line naming the file
        return _usage_error(str(err))
    if args.command == "info":
        from deck.commands.info import describe

        print(describe(talk.model))
        return 0
    if args.command == "list":
        return list_slides(talk.model)
    # imported only now: deck.build.render imports manim (2 s), which `info` never needs
    from deck.build.buildlock import BuildBusy
    from deck.build.render import RenderError
    from deck.commands.doctor import MissingDependency
    from deck.export import ExportError

    try:
        if args.jobs < 1:
            return _usage_error(f"--jobs must be at least 1, got {args.jobs}")
        wait = not args.no_wait
        if args.command == "build":
            if args.minutes is not None:
                if args.minutes <= 0:
                    return _usage_error(f"--minutes must be positive, got {args.minutes:g}")
                talk = dataclasses.replace(talk, minutes=args.minutes)
            return build(talk, args.quality, args.jobs, args.scenes, wait=wait)
        if args.command == "watch":
            return watch(args, talk)
        return present(talk, args.quality, args.jobs, args.info_window, args.start_at, wait=wait)
    except BuildBusy as err:
        print(f"deck: {err}", file=sys.stderr)
        return 2
    except (MissingDependency, RenderError, ExportError, PresenterFailed) as err:
        print(f"deck: {err}", file=sys.stderr)
        return 1
