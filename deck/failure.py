"""Failures told in one line: the deck's own errors, and where anything else went wrong."""

from __future__ import annotations

import traceback
from pathlib import Path


class DeckError(Exception):
    """A failure whose message is already one line saying what to do."""

    exit_code = 1  # what `deck` exits with when this stops a command


class UsageError(DeckError):
    """The command line asks for something that cannot be."""

    exit_code = 2


class MissingDependency(DeckError):
    """A required dependency is missing; the message is the one-line fix (`deck doctor`)."""


class BuildBusy(DeckError):
    """Another build holds the folder and the caller chose not to wait."""

    exit_code = 2


class RenderError(DeckError, RuntimeError):
    """A scene failed to render; the message names it and where its log is."""


class ExportError(DeckError):
    """Bad input or a failed conversion; the message is one line saying what to do."""


class PresentError(DeckError):
    """The renders cannot be presented, or the presenter cannot start or failed."""


class UnknownPresetError(KeyError):
    """Raised for a preset name that is not in `PRESETS`."""

    def __str__(self) -> str:
        return self.args[0]


class UnusableFile(DeckError, ValueError):
    """A file the user named that the deck cannot use; the message names it."""

    def __init__(self, path: Path | str, reason: str):
        super().__init__(f"{path}: {reason}")


class ConfigError(UnusableFile):
    """A config.json the deck cannot model exactly."""


class TalkFileError(UnusableFile):
    """A talk file the deck cannot use."""


def where_it_failed(err: BaseException, root: Path) -> str:
    """One line for `err`: a deck error's own message; otherwise `file:line: Type: message`
    at the deepest frame inside the project's `deck/` package."""
    if isinstance(err, DeckError):
        return str(err)
    if isinstance(err, SyntaxError) and err.filename:
        place = f"{_relative(Path(err.filename), root)}:{err.lineno}"
        return f"{place}: SyntaxError: {err.msg}"
    message = " ".join(str(err).split()) or type(err).__name__
    frames = [f for f in traceback.extract_tb(err.__traceback__) if _inside(f.filename, root)]
    if not frames:
        return f"{type(err).__name__}: {message}"
    last = frames[-1]
    return f"{_relative(Path(last.filename), root)}:{last.lineno}: {type(err).__name__}: {message}"


def _inside(filename: str, root: Path) -> bool:
    return Path(filename).resolve().is_relative_to(root / "deck")


def _relative(path: Path, root: Path) -> str:
    resolved = path.resolve()
    return str(resolved.relative_to(root)) if resolved.is_relative_to(root) else str(path)
