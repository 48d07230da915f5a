"""`deck present`: render what is missing, then show the deck in manim-slides' player
(set up by deck/commands/player.py, run in a child process)."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from deck.build import render
from deck.build.buildlock import held
from deck.commands import doctor, player
from deck.commands.progress import ProgressLine, waiting
from deck.failure import PresentError, UsageError
from deck.project import Build, Project
from deck.talk import Talk

NO_DISPLAY = (
    "no display: `deck present` needs a graphical session (DISPLAY or WAYLAND_DISPLAY is "
    "unset); without one, export with `deck build` and open the HTML in presentations/"
)


def has_display() -> bool:
    """Whether the presenter can open a window (an explicit Qt platform is trusted)."""
    if not sys.platform.startswith("linux") or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run(args: argparse.Namespace, talk: Talk, project: Project) -> int:
    where = project.build(talk, args.quality)
    return present(where, args.jobs, args.info_window, args.start_at, wait=not args.no_wait)


def present(
    where: Build, jobs: int, info_window: bool, start_at: int = 1, *, wait: bool = True
) -> int:
    from deck.scenes import SCENE_NAMES, SCENES, total_slides  # manim

    if not 1 <= start_at <= total_slides():
        raise UsageError(f"--start-at must be a slide from 1 to {total_slides()}, got {start_at}")
    doctor.require(("qt",))
    if not has_display():
        raise PresentError(NO_DISPLAY)
    with held(where.folder, wait=wait, waiting=waiting):
        stale = [s for s in SCENES if not render.is_fresh(s, where)]
        if stale:
            print(f"rendering {len(stale)} missing or changed scene(s) first", flush=True)
            render.render_scenes(SCENES, where, jobs, ProgressLine(len(SCENES)))
        folder = player.prepare(where.slides, SCENE_NAMES, where.present)
    cmd = player.command(folder, start_at=start_at, info_window=info_window)
    code = subprocess.call(cmd, env=player.environment())
    if code != 0:
        raise PresentError(f"the presenter stopped with exit code {code}: run `deck doctor`")
    return 0
