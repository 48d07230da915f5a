"""The talk a command is about: its command-line options, over the talk file, over the defaults.

`add_talk_options` declares --talk, --theme and the model (--preset | --model, --name);
`resolve_talk` reads them. Used by `deck` (deck/cli.py) and scripts/stills.py alike.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from deck import theme
from deck.content.hfconfig import load_config
from deck.content.model import DEFAULT_PRESET, PRESETS, Model, get_preset, preset_name
from deck.project import THIS_PROJECT, Project
from deck.talk import Talk
from deck.talk.file import TalkFile, check_notes, fill_own_slides, read_talk_file


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


def talk_file_of(args: argparse.Namespace, project: Project) -> Path:
    """The talk file the options name, else the project's (which may not exist)."""
    return args.talk if args.talk is not None else project.talk_file


def resolve_talk(args: argparse.Namespace, project: Project = THIS_PROJECT) -> Talk:
    """The talk the command is about. Precedence: the command line's options (--preset,
    --model, --name, --theme), then the talk file (`--talk`, else the project's talk.toml
    when it exists), then the defaults of `Talk`.

    Raises `ValueError` (`TalkFileError`, `ConfigError`: one line naming the file).
    """
    path = talk_file_of(args, project)
    talk_file = read_talk_file(path) if args.talk is not None or path.exists() else None
    details = dict(talk_file.details) if talk_file is not None else {}
    if args.theme is not None:
        details["theme"] = args.theme
    talk = Talk(resolve_model(args, talk_file), **details)
    if talk_file is not None:  # own notes' fields are the model's: known only now
        check_notes(talk_file.path, talk.notes, talk.model)
        filled = fill_own_slides(talk_file.path, talk.own_slides, talk.model)
        talk = dataclasses.replace(talk, own_slides=filled)
    if getattr(args, "command", None) in ("build", "present", "watch"):
        from deck.talk.real_attention import for_talk  # the slide's real heads, if any

        talk = for_talk(talk, project.attention_cache)
    return talk
