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


# An unclosed PyAV decoder left as garbage in a reference cycle, then a forked pool whose
# worker collects garbage: without the parent's collection first, the worker waits forever
# for FFmpeg's decoding threads, which were not forked with it.
DECODER_LEFT_AS_GARBAGE = """
import gc, sys
import av, numpy as np
from deck.system.lifeline import forked_pool

video = sys.argv[1]
with av.open(video, "w") as out:
    stream = out.add_stream("libx264", rate=15)
    stream.width, stream.height, stream.pix_fmt = 640, 360, "yuv420p"
    for i in range(8):
        frame = av.VideoFrame.from_ndarray(np.full((360, 640, 3), i * 20, np.uint8), "rgb24")
        out.mux(stream.encode(frame))
    out.mux(stream.encode())
gc.disable()  # the garbage stays until someone collects it
container = av.open(video)
container.streams.video[0].thread_type = "SLICE"
next(container.decode(video=0))
cycle = [container]
cycle.append(cycle)
del container, cycle
with forked_pool(1) as pool:
    print(pool.submit(gc.collect).result(timeout=60) >= 0, flush=True)
"""


def test_a_forked_pool_survives_a_decoder_left_as_garbage(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", DECODER_LEFT_AS_GARBAGE, str(tmp_path / "v.mp4")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.strip() == "True", done.stderr[-2000:]
