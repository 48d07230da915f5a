"""One build at a time per build folder (`build/<talk>/<quality>/`).

Two builds writing the same renders would overwrite each other's slide videos and logs
half-way. The lock is `flock` on a file in the build folder: the kernel releases it when
its holder exits, however it exits (SIGKILL included), so a stale lock cannot exist.
The file holds the holder's pid, for the message a second build prints.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from deck.failure import BuildBusy

LOCK_NAME = "build.lock"


def _holder(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    pid = os.read(fd, 32).decode(errors="replace").strip()
    return f" (pid {pid})" if pid.isdigit() else ""


@contextlib.contextmanager
def held(folder: Path, *, wait: bool, waiting: Callable[[str], None]) -> Iterator[None]:
    """Hold `folder`'s build lock for the duration of the block.

    When another build holds it: with `wait`, call `waiting(message)` once and block
    until it is free (Ctrl-C still interrupts); without, raise BuildBusy.
    """
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = f"another deck build{_holder(fd)} is using {folder}"
            if not wait:
                raise BuildBusy(f"{other}; try again when it has finished") from None
            waiting(f"{other}; waiting for it to finish")
            fcntl.flock(fd, fcntl.LOCK_EX)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield
    finally:
        os.close(fd)  # releases the lock
