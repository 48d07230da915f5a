"""Worker processes that end with the process that started them.

A `deck build` killed with SIGKILL (or by the out-of-memory killer) runs no cleanup, so
its forked workers would keep rendering into build/ and then block forever on a pipe no
one reads. On Linux the kernel kills them instead (`prctl(PR_SET_PDEATHSIG)`); elsewhere
a thread notices the new parent and exits.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import threading
from concurrent.futures import ProcessPoolExecutor

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
WATCH_SECONDS = 1.0  # how often the fallback thread looks at the parent


def die_with_parent(parent: int) -> None:
    """Call first thing in a forked worker: it is killed as soon as `parent` dies.

    `parent` is the pid the worker was started by: if it died before this call (and the
    worker was adopted by another process), no signal will ever come, so exit now.
    """
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            _watch(parent)
    else:
        _watch(parent)
    if os.getppid() != parent:
        os._exit(1)


def forked_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of workers forked from this process (they inherit what it has imported),
    each of which dies with it.

    Garbage is collected first: a forked child collects the garbage it inherits, and an
    unclosed PyAV container freed there waits forever for FFmpeg decoding threads that
    exist only in the parent (seen as a hung export, its worker in
    `avpriv_slicethread_free`). Freed here, it joins its threads where they run."""
    gc.collect()
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=die_with_parent,
        initargs=(os.getpid(),),
    )


def _watch(parent: int) -> None:
    def watch() -> None:
        while os.getppid() == parent:
            threading.Event().wait(WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


def alive(pid: int) -> bool:
    """Whether a process with this pid exists (this one included)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True
