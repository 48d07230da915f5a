"""Workers die with the process that started them, even when it is killed with SIGKILL."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from deck.system.lifeline import alive

GRACE_S = 5

# Forks a worker that calls die_with_parent, prints the worker's pid, then waits forever.
PARENT = """
import os, sys, time
from deck.system.lifeline import die_with_parent

parent = os.getpid()
worker = os.fork()
if worker == 0:
    die_with_parent(parent)
    time.sleep(600)
    os._exit(0)
print(worker, flush=True)
time.sleep(600)
"""


def running(pid: int) -> bool:
    """Alive and not a zombie (a dead child its new parent has not reaped yet)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] not in "ZX"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_a_worker_dies_with_its_killed_parent():
    parent = subprocess.Popen([sys.executable, "-c", PARENT], stdout=subprocess.PIPE, text=True)
    worker = int(parent.stdout.readline())
    time.sleep(0.2)  # it has set its death signal
    assert running(worker)
    parent.kill()
    parent.wait()
    parent.stdout.close()
    deadline = time.monotonic() + GRACE_S
    while running(worker) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not running(worker)


def test_alive():
    assert alive(os.getpid())
    assert not alive(4_194_305)  # above Linux's largest pid_max
