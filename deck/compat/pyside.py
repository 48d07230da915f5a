"""PySide6's bundled FFmpeg, which the presenter quietens (see deck/compat/__init__.py).

Any PySide6 6.x wheel (pyproject.toml pins only a lower bound): the library is found by
its soname, and tests/test_compat.py checks the level is set where Qt reads it.
"""

from __future__ import annotations

from pathlib import Path

LIBRARY = "PySide6"  # no CHECKED minor: any 6.x (its wheels all bundle the same layout)


# ── PySide6: the FFmpeg inside Qt Multimedia ─────────────────────────────
# PySide6 6.x wheels bundle FFmpeg for Qt Multimedia (Linux: Qt/lib/libavutil.so.<major>),
# and Qt leaves its log level at FFmpeg's default, "info", at which opening a video
# prints the stream information (av_dump_format, ~10 lines per slide) to stderr. Loading
# the library first, lazily as Qt's plugin loader does (its OpenSSL symbols come from a
# stub and resolve on use), lets us set the level; Qt's plugin then finds it loaded under
# the same soname and shares it.
FFMPEG_LOG_WARNING = 24  # AV_LOG_WARNING, libavutil/log.h: warnings and errors still show


def qt_ffmpeg_library() -> Path | None:
    """PySide6's own libavutil, or None where the wheel has none (another platform)."""
    import PySide6

    found = sorted((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libavutil.so.*"))
    return min(found, key=lambda p: len(p.name)) if found else None  # the soname


def quiet_qt_ffmpeg() -> bool:
    """Keep Qt's FFmpeg to warnings and errors (this process); False if not found."""
    import ctypes
    import os

    library = qt_ffmpeg_library()
    if library is None:
        return False
    ctypes.CDLL(str(library), mode=os.RTLD_LAZY).av_log_set_level(FFMPEG_LOG_WARNING)
    return True


# ── Qt's messages: the presenter's terminal ────────────────────────────
# A message handler sees what the logging rules (QT_LOGGING_RULES) let through; this one
# drops the messages that start with one of `noise` and writes the others as Qt's default
# handler does, one line on stderr. Kept referenced: Qt holds no Python reference to it.
_handler = None


def quiet_qt_messages(noise: tuple[str, ...]) -> None:
    """Qt's messages of this process on stderr, except those starting with `noise`."""
    import sys

    from qtpy.QtCore import qInstallMessageHandler

    global _handler

    def handler(kind, context, message: str) -> None:
        if not message.startswith(noise):
            sys.stderr.write(f"{message}\n")

    _handler = handler
    qInstallMessageHandler(handler)
