"""Outputs written beside their destination and moved into place only when all succeeded.

A temporary file is hidden, in the destination folder (so os.replace is atomic), named
after the process that writes it (so leftovers of a killed export can be told from the
files of one still running), and created by the writer itself (so it gets the usual
permissions).
"""

from __future__ import annotations

import glob
import os
import re
import secrets
from collections.abc import Sequence
from pathlib import Path

TEMP_NAME = re.compile(r"\..+\.(\d+)-[0-9a-f]{8}\.tmp")


def temp_path(dest: Path) -> Path:
    return dest.with_name(f".{dest.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")


def discard(paths: Sequence[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def discard_stale(out_dir: Path, stem: str) -> None:
    """Remove temporary files a killed export (SIGKILL, power loss) left behind
    (`.gqa.pdf.<pid>-<hex>.tmp`, `.gqa-handout.pdf.<pid>-<hex>.tmp`, ...)."""
    for path in out_dir.glob(f".{glob.escape(stem)}*.tmp"):
        match = TEMP_NAME.fullmatch(path.name)
        if match and not _alive(int(match[1])):
            path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True
