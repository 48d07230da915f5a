"""The talk file (talk.toml) and `resolve_talk`: the default file is today's deck, the
command line wins over the file, and a bad file is one line naming it (and the key), exit 2."""

from __future__ import annotations

import datetime
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from deck import cli
from deck.build import render
from deck.content.model import PRESETS
from deck.project import THIS_PROJECT
from deck.talk import Talk
from deck.talk.file import KEYS, TalkFileError, read_talk_file
from deck.talk.options import resolve_talk

CONFIGS = Path(__file__).parent / "data" / "configs"
FULL = """
title = "GQA in Qwen3"
subtitle = "Why four KV heads are enough"
speaker = "Ada Lovelace"
affiliation = "Analytical Engines"
event = "ML reading group"
date = 2026-12-01
minutes = 25
model = "models/Qwen3-4B"
model_name = "Our Qwen3 4B"
theme = "light"
"""


def write(folder: Path, text: str, name: str = "talk.toml") -> Path:
    path = folder / name
    path.write_text(text)
    return path


def talk_for(*argv: str) -> Talk:
    return resolve_talk(cli.make_parser().parse_args(list(argv)))


@pytest.fixture
def full_talk(tmp_path) -> Path:
    """A talk file naming a config.json by a path relative to the file's folder."""
    shutil.copytree(CONFIGS / "Qwen3-4B", tmp_path / "models" / "Qwen3-4B")
    return write(tmp_path, FULL)


def test_the_default_talk_file_is_todays_deck():
    with THIS_PROJECT.talk_file.open("rb") as f:
        assert set(tomllib.load(f)) <= set(KEYS)
    for command in ("build", "present", "list", "info"):
        assert talk_for(command) == Talk.for_preset()


def test_a_full_talk_file(full_talk):
    talk = talk_for("build", "--talk", str(full_talk))
    assert (talk.title, talk.subtitle, talk.speaker) == (
        "GQA in Qwen3",
        "Why four KV heads are enough",
        "Ada Lovelace",
    )
    assert (talk.affiliation, talk.event, talk.minutes) == (
        "Analytical Engines",
        "ML reading group",
        25,
    )
    assert talk.date == datetime.date(2026, 12, 1)
    assert (talk.theme, talk.slug) == ("light", "our-qwen3-4b-light")
    assert (talk.model.title, talk.model.n_params) == ("Our Qwen3 4B", 4_022_468_096)


def test_the_command_line_wins_over_the_file(full_talk):
    talk = str(full_talk)
    assert talk_for("info", "--talk", talk, "--preset", "mistral-7b").model is PRESETS["mistral-7b"]
    other = str(CONFIGS / "Mistral-7B-v0.1")
    assert talk_for("list", "--talk", talk, "--model", other).model.name == "mistral-7b-v0.1"
    renamed = talk_for("build", "--talk", talk, "--name", "Mine")
    assert (renamed.model.title, renamed.speaker) == ("Mine", "Ada Lovelace")
    assert talk_for("present", "--talk", talk, "--theme", "dark").theme == "dark"
    assert talk_for("build", "--theme", "light") == Talk(PRESETS["demo-1b"], theme="light")


def test_every_key_is_optional(tmp_path):
    assert talk_for("info", "--talk", str(write(tmp_path, ""))) == Talk.for_preset()
    preset = write(tmp_path, 'model = "llama-3-8b"\nspeaker = "  Ada  "\n')
    talk = talk_for("info", "--talk", str(preset))
    assert (talk.model, talk.speaker) == (PRESETS["llama-3-8b"], "Ada")


@pytest.mark.parametrize(
    ("text", "key", "reason"),
    [
        ('speeker = "Ada"', "speeker", "did you mean 'speaker'"),
        ("speaker = 42", "speaker", "must be a string"),
        ('date = "2026-12-01"', "date", "TOML date"),
        ("date = 2026-12-01T10:00:00", "date", "TOML date"),
        ("minutes = 2.5", "minutes", "whole number"),
        ("minutes = true", "minutes", "whole number"),
        ("minutes = 0", "minutes", "between 1 and"),
        ('theme = "sepia"', "theme", "dark, light"),
        ('title = ""', "title", "must not be empty"),
        ('model = "gpt-9"', "model", "neither a preset"),
        ('model = "demo-1b"\nmodel_name = "x"', "model_name", "goes with a config.json"),
        ('model = "broken.json"', "model", "broken.json: not valid JSON"),
        ("[model]\npreset = 'gqa-1b'", "model", "must be a string"),
        ("title = ", None, "not valid TOML"),
    ],
)
def test_a_bad_talk_file_is_one_line_naming_it(tmp_path, capsys, monkeypatch, text, key, reason):
    (tmp_path / "broken.json").write_text("{ not json")
    path = write(tmp_path, text + "\n")
    monkeypatch.setattr(render, "render_scenes", lambda *a, **k: pytest.fail("rendered"))
    assert cli.main(["build", "--talk", str(path), "--quality", "low"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"deck: error: {path}: ")
    assert reason in err
    if key is not None:
        assert f": {key}: " in err


def test_missing_talk_file(tmp_path):
    with pytest.raises(TalkFileError, match="no such file"):
        read_talk_file(tmp_path / "nope.toml")
    with pytest.raises(TalkFileError, match="is a folder"):
        read_talk_file(tmp_path)


def test_the_command_prints_no_traceback(tmp_path):
    path = write(tmp_path, "minutes = 'twenty'\n")
    done = subprocess.run(
        [sys.executable, "-m", "deck", "build", "--talk", str(path), "--quality", "low"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2 and not done.stdout
    assert done.stderr == (
        f"deck: error: {path}: minutes: must be a whole number of minutes, got 'twenty'\n"
    )
