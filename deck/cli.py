"""The `deck` command: parse the command line, run the command's module (deck/commands/);
every failure one line on stderr, no traceback; only the command that runs is imported."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from typing import NoReturn

from deck.build.quality import DEFAULT_QUALITY, QUALITIES
from deck.failure import DeckError, UsageError
from deck.project import THIS_PROJECT, Project
from deck.talk.file import minutes_option
from deck.talk.options import add_talk_options, resolve_talk

BROKEN_PIPE = 141  # 128 + SIGPIPE: what a command killed by a closed pipe exits with


class Parser(argparse.ArgumentParser):
    """Errors in one line (no usage block), exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"deck: error: {message}\n")


def _add_build_options(p: argparse.ArgumentParser) -> None:
    add_talk_options(p)
    p.add_argument(
        "--quality",
        default=DEFAULT_QUALITY,
        choices=list(QUALITIES),
        help=f"render quality (default {DEFAULT_QUALITY}: 1080p60)",
    )
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="scenes at once")
    p.add_argument("--no-wait", action="store_true", help="exit (2) if the folder is busy")


def make_parser() -> Parser:
    parser = Parser(prog="deck", description="Build and present the GQA slide deck.")
    sub = parser.add_subparsers(dest="command", parser_class=Parser)
    b = sub.add_parser("build", help="render the scenes and export HTML, PDF, PPTX and the handout")
    _add_build_options(b)
    b.add_argument("scenes", nargs="*", metavar="SCENE", help="render only these scenes")
    b.add_argument(
        "--minutes",
        type=minutes_option,
        metavar="M",
        help="the talk's length: the HTML speaker view (S) paces each slide by its notes",
    )
    for flag, also in (("--lite", "-lite.html, the last frames"), ("--video", ".mp4")):
        b.add_argument(flag, action="store_true", help=f"also write presentations/<stem>{also}")
    p = sub.add_parser("present", help="present live (renders what is missing first)")
    _add_build_options(p)
    p.set_defaults(quality=None)  # what is built already (deck/commands/present.py)
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
    _add_build_options(w)
    w.set_defaults(quality="low")
    w.add_argument(
        "--port", type=int, default=8000, help="port on 127.0.0.1 (default 8000; 0: any free)"
    )
    s = sub.add_parser("serve", help="serve the built HTML deck to a room; it follows the speaker")
    add_talk_options(s)
    s.add_argument("--quality", choices=list(QUALITIES), help="the build (default: the last)")
    s.add_argument("--host", default="127.0.0.1", help="interface (0.0.0.0: every network)")
    s.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: any free)")
    s.add_argument("--qr", action="store_true", help="show the audience URL's QR code on slide 1")
    add_talk_options(
        sub.add_parser("list", help="scenes, slides and the first line of their notes")
    )
    add_talk_options(
        sub.add_parser("info", help="the model's figures: parameters, shapes, KV cache")
    )
    sub.add_parser("doctor", help="check system dependencies and assets")
    a = sub.add_parser("attention", help="real attention weights of one KV group, from weights")
    add_talk_options(a)
    a.add_argument("--text", help="the text (default: the talk's attention_text)")
    a.add_argument("--layer", type=int, help="the layer, from 0 (default: the middle one)")
    a.add_argument("--group", type=int, help="the KV group, from 0 (default: 0)")
    a.add_argument("--json", action="store_true", help="print JSON instead of a table")
    return parser


def main(argv: list[str] | None = None, project: Project = THIS_PROJECT) -> int:
    """`deck` on `project`: exit code 1 on failure, 2 for bad usage or a busy folder with
    --no-wait (`DeckError.exit_code`), 130 for Ctrl-C (at any moment, start-up included)."""
    try:
        code = _run(make_parser(), argv, project)
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


def _run(parser: Parser, argv: list[str] | None, project: Project) -> int:
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        if args.command == "doctor":
            return importlib.import_module("deck.commands.doctor").main()
        if getattr(args, "jobs", 1) < 1:
            raise UsageError(f"--jobs must be at least 1, got {args.jobs}")
        try:
            talk = resolve_talk(args, project)
        except ValueError as err:  # TalkFileError, ConfigError: one line naming the file
            raise UsageError(str(err)) from None
        command = importlib.import_module(f"deck.commands.{args.command}")
        return command.run(args, talk, project)
    except DeckError as err:  # UsageError, BuildBusy, RenderError, ExportError, ...
        kind = "error: " if isinstance(err, UsageError) else ""
        print(f"deck: {kind}{err}", file=sys.stderr)
        return err.exit_code
