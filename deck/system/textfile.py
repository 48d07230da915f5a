"""Reading a small text file that the user names: its text, or one line saying what is wrong.

Only a regular file is read: a FIFO would block the command until something writes to
it, and a device such as /dev/zero never ends (its size says 0). So the kind of file is
checked before it is opened, again on the open descriptor (opened without blocking, in
case it was swapped meanwhile), and at most `max_bytes` + 1 bytes are ever read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_MAX_BYTES = 2**20  # the files named here are a few KiB


def _kind(mode: int) -> str | None:
    """What a file that is not a regular file is, or None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def read_text(
    path: Path,
    error: Callable[[Path, str], Exception],
    *,
    folder: str,
    max_bytes: int | None = None,
    too_large: str = "too large",
) -> str:
    """The UTF-8 text of `path`; otherwise raises `error(path, reason)`, `folder` being the
    reason when `path` is a folder and `too_large` when it holds more than `max_bytes`."""
    limit = DEFAULT_MAX_BYTES if max_bytes is None else max_bytes
    try:
        mode = os.stat(path).st_mode
        if stat.S_ISDIR(mode):
            raise error(path, folder)
        if (kind := _kind(mode)) is not None:
            raise error(path, f"is {kind}, not a file to read")
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(descriptor, "rb") as file:
            if (kind := _kind(os.fstat(file.fileno()).st_mode)) is not None:
                raise error(path, f"is {kind}, not a file to read")
            data = file.read(limit + 1)
        if len(data) > limit:
            raise error(path, too_large)
        return data.decode("utf-8")
    except FileNotFoundError:
        raise error(path, "no such file") from None
    except IsADirectoryError:
        raise error(path, folder) from None
    except UnicodeDecodeError:
        raise error(path, "not UTF-8 text") from None
    except OSError as err:
        raise error(path, f"cannot read it ({err.strerror})") from None


def nesting(value: object) -> int:
    """How deeply lists and dicts nest in parsed JSON or TOML (a scalar is 0), without
    recursion, so that a bound on it can be checked on any input."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        children: Any = item.values() if isinstance(item, dict) else item
        if isinstance(item, dict | list):
            stack.extend((child, depth + 1) for child in children)
    return deepest
