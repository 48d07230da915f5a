"""Reading a small text file that the user names: its text, or one line saying what is wrong."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


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
    try:
        if max_bytes is not None and path.stat().st_size > max_bytes:
            raise error(path, too_large)
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(path, "no such file") from None
    except IsADirectoryError:
        raise error(path, folder) from None
    except UnicodeDecodeError:
        raise error(path, "not UTF-8 text") from None
    except OSError as err:
        raise error(path, f"cannot read it ({err.strerror})") from None
