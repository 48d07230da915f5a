"""`deck present`: render what is missing, then show the deck in manim-slides' player
(set up by deck/commands/player.py, run in a child process)."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

from deck.build import render
from deck.build.buildlock import held
from deck.build.quality import DEFAULT_QUALITY, QUALITIES
from deck.commands import doctor, player
from deck.commands.progress import ProgressLine, waiting
from deck.failure import PresentError, UsageError
from deck.project import Build, Project
from deck.talk import Talk

NO_DISPLAY = (
    "no display: `deck present` needs a graphical session (DISPLAY or WAYLAND_DISPLAY is "
    "unset); without one, export with `deck build` and open the HTML in presentations/"
)
X_TCP_BASE = 6000  # X server N listens on TCP port 6000 + N
CONNECT_TIMEOUT = 2.0  # seconds


def _connects(family: int, address: object) -> bool:
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.settimeout(CONNECT_TIMEOUT)
        try:
            probe.connect(address)
        except OSError:
            return False
    return True


def x_server_problem(display: str) -> str | None:
    """Why the X display `display` (e.g. ":99", "localhost:10.0") cannot be reached."""
    host, _, rest = display.rpartition(":")
    number = rest.split(".")[0]
    if not number.isdigit():
        return f"DISPLAY={display} is not an X display name (such as :0)"
    if host in ("", "unix"):
        path = f"/tmp/.X11-unix/X{number}"
        # Xorg and Xvfb listen on the file and on the same name in Linux's abstract space
        if _connects(socket.AF_UNIX, path) or _connects(socket.AF_UNIX, "\0" + path):
            return None
        return (
            f"DISPLAY={display} names no running X server (nothing answers on {path}); "
            f"start one (e.g. `Xvfb :{number} &`) or set DISPLAY to your session's"
        )
    if _connects(socket.AF_INET, (host, X_TCP_BASE + int(number))):
        return None
    return f"DISPLAY={display}: no X server answers on {host}, port {X_TCP_BASE + int(number)}"


def display_problem() -> str | None:
    """Why the presenter cannot open a window, in one clause, or None (an explicit Qt
    platform such as `offscreen` is trusted)."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return None
    wayland, display = os.environ.get("WAYLAND_DISPLAY"), os.environ.get("DISPLAY")
    if wayland:
        folder = Path(os.environ.get("XDG_RUNTIME_DIR", f"/run/user/{os.getuid()}"))
        path = Path(wayland) if Path(wayland).is_absolute() else folder / wayland
        if _connects(socket.AF_UNIX, str(path)):
            return None
        if not display:
            return f"WAYLAND_DISPLAY={wayland}: no Wayland compositor answers on {path}"
    if display:
        return x_server_problem(display)
    return NO_DISPLAY.removeprefix("no display: ")


def exit_status(code: int) -> str:
    """A child's return code as a shell reports it: -6 is "SIGABRT (exit code 134)"."""
    if code < 0:
        return f"was stopped by {signal.Signals(-code).name} (exit code {128 - code})"
    return f"stopped with exit code {code}"


def run(args: argparse.Namespace, talk: Talk, project: Project) -> int:
    quality = args.quality or built_quality(talk, project)
    where = project.build(talk, quality)
    return present(where, args.jobs, args.info_window, args.start_at, wait=not args.no_wait)


def built_quality(talk: Talk, project: Project) -> str:
    """Without --quality: the best quality this talk is fully built at (after `deck build
    --quality low`, that one, not a 1080p60 render first), else the build's default."""
    from deck.scenes import scenes_of  # manim

    by_height = sorted(QUALITIES.values(), key=lambda q: q.height, reverse=True)
    for quality in by_height:
        where = project.build(talk, quality.name)
        if where.slides.is_dir() and all(render.is_fresh(s, where) for s in scenes_of(talk)):
            if quality.name != DEFAULT_QUALITY:
                print(
                    f"presenting the {quality.name}-quality build ({quality.height}p"
                    f"{quality.fps}); --quality {DEFAULT_QUALITY} renders it at "
                    f"{QUALITIES[DEFAULT_QUALITY].height}p first",
                    flush=True,
                )
            return quality.name
    return DEFAULT_QUALITY


def present(
    where: Build, jobs: int, info_window: bool, start_at: int = 1, *, wait: bool = True
) -> int:
    from deck.scenes import scene_names, scenes_of, total_slides  # manim

    scenes, last = scenes_of(where.talk), total_slides(where.talk)
    if not 1 <= start_at <= last:
        raise UsageError(f"--start-at must be a slide from 1 to {last}, got {start_at}")
    doctor.require(("qt",))
    if (problem := display_problem()) is not None:  # before anything is rendered
        raise PresentError(f"no display: {problem}")
    with held(where.folder, wait=wait, waiting=waiting):
        stale = [s for s in scenes if not render.is_fresh(s, where)]
        if stale:
            print(f"rendering {len(stale)} missing or changed scene(s) first", flush=True)
            render.render_scenes(scenes, where, jobs, ProgressLine(len(scenes)))
        folder = player.prepare(where.slides, scene_names(where.talk), where.present)
    cmd = player.command(folder, start_at=start_at, info_window=info_window)
    code = subprocess.call(cmd, env=player.environment())
    if code != 0:
        raise PresentError(
            f"the presenter {exit_status(code)}: Qt could not run it; `deck doctor` checks "
            "its libraries, and its own messages are above"
        )
    return 0
