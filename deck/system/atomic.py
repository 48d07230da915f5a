"""Outputs written beside their destination and moved into place only when all succeeded.

A temporary file is hidden, in the destination folder (so os.replace is atomic), named
after the process that writes it (so leftovers of a killed export can be told from the
files of one still running), and created by the writer itself (so it gets the usual
permissions).
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import secrets
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from deck.system.lifeline import alive

TEMP_NAME = re.compile(r"\..+\.(\d+)-[0-9a-f]{8}\.tmp")


def temp_path(dest: Path) -> Path:
    return dest.with_name(f".{dest.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")


@contextlib.contextmanager
def replacing(dest: Path) -> Iterator[Path]:
    """A temporary path to write; it replaces `dest` in one step if the block succeeds,
    so a reader (or a build killed half-way) sees the old file or the new one."""
    temp = temp_path(dest)
    try:
        yield temp
        os.replace(temp, dest)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def write_text(dest: Path, text: str) -> None:
    with replacing(dest) as temp:
        temp.write_text(text, encoding="utf-8")


def check_writable(folder: Path) -> None:
    """Raise OSError (read-only, full, no permission) unless a file can be made in `folder`."""
    probe = temp_path(folder / "write-check")
    probe.touch(exist_ok=False)
    probe.unlink()


def discard(paths: Sequence[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def discard_stale(out_dir: Path, stem: str) -> None:
    """Remove temporary files a killed export (SIGKILL, power loss) left behind
    (`.gqa.pdf.<pid>-<hex>.tmp`, `.gqa-handout.pdf.<pid>-<hex>.tmp`, ...)."""
    _discard_dead(out_dir.glob(f".{glob.escape(stem)}*.tmp"))


def discard_stale_in(folders: Iterable[Path]) -> int:
    """Remove the temporary files of dead processes from these folders; return how many."""
    return _discard_dead(p for folder in folders for p in folder.glob(".*.tmp"))


def _discard_dead(paths: Iterable[Path]) -> int:
    removed = 0
    for path in paths:
        match = TEMP_NAME.fullmatch(path.name)
        if match and not alive(int(match[1])):
            path.unlink(missing_ok=True)
            removed += 1
    return removed
