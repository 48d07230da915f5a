"""`deck build`: render what changed, then export the whole deck (unless scenes are named).

A whole-deck build with nothing to do says so before manim is imported
(deck/build/uptodate.py); so the scenes (manim classes) are imported only past that check.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from collections.abc import Sequence

from deck import export
from deck.build import render, uptodate
from deck.build.buildlock import held
from deck.commands import doctor
from deck.commands.progress import ProgressLine, waiting
from deck.export import ExportOptions
from deck.failure import UsageError
from deck.project import Build, Project
from deck.system import atomic
from deck.talk import Talk
from deck.theme import palette

NEEDS = ("pango", "manimpango", "font", "revealjs", "handout-font")  # doctor's checks


def run(args: argparse.Namespace, talk: Talk, project: Project) -> int:
    if args.minutes is not None:  # checked by the parser: whole minutes, as the talk file
        talk = dataclasses.replace(talk, minutes=args.minutes)
    where = project.build(talk, args.quality)
    extra = tuple(f for f in export.EXTRA_FORMATS if getattr(args, f))  # --lite, --video
    formats = (*export.FORMATS, *extra)
    return build(where, args.jobs, args.scenes, formats, wait=not args.no_wait)


def scenes_named(names: Sequence[str], talk: Talk | None = None) -> list[type]:
    """The scenes `names` name, once each and in that order; every scene of the talk if none."""
    from deck.scenes import BY_NAME, scenes_of  # manim: only once a build has work to do

    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        choices = ", ".join(BY_NAME)
        raise UsageError(f"unknown scene {unknown[0]!r}; choose from: {choices}")
    shown = scenes_of(talk)
    left_out = [n for n in names if BY_NAME[n] not in shown]
    if left_out:
        choices = ", ".join(s.__name__ for s in shown)
        raise UsageError(f"the talk's cut leaves scene {left_out[0]!r} out; its scenes: {choices}")
    return [BY_NAME[n] for n in dict.fromkeys(names)] if names else list(shown)


def export_options(talk: Talk) -> ExportOptions:
    """What the exports say about the talk: title, speaker, date, length, references,
    and the HTML deck's live slides."""
    from deck.scenes import live_slides
    from deck.scenes.closing import cited_references

    colours = palette(talk.theme)
    return ExportOptions(
        title=talk.title,
        author=talk.speaker,
        subject=talk.subtitle or talk.model.title,
        date=talk.date,
        minutes=talk.minutes,
        references=tuple(r.citation() for r in cited_references(talk)),
        interactive=live_slides(talk),
        marks=(colours.HIGHLIGHT, colours.BACKGROUND),
    )


def build(
    where: Build,
    jobs: int,
    scene_names: Sequence[str] = (),
    formats: Sequence[str] = export.FORMATS,
    *,
    wait: bool = True,
) -> int:
    """Render the named scenes (all, then export, when none is named); 0 when done."""
    named = scenes_named(scene_names, where.talk) if scene_names else None  # a typo fails at once
    with held(where.folder, wait=wait, waiting=waiting):
        # a whole build's inputs as they are before anything renders: a file edited while
        # it runs is then a change for the next build, not taken for built
        inputs = None if named else uptodate.inputs_digest(where, formats)
        if inputs is not None and _nothing_to_do(where, formats, inputs):
            return 0
        doctor.require(NEEDS)
        scenes = named or scenes_named((), where.talk)
        progress = ProgressLine(len(scenes))
        jobs = min(jobs, len(scenes))
        print(
            f"building {len(scenes)} scene(s) of {where.talk.model.title} at {where.quality} "
            f"quality with up to {jobs} job(s)",
            flush=True,
        )
        render.render_scenes(scenes, where, jobs, progress)
        if named:  # a partial build renders only; exports always hold the whole deck
            print("rendered; run `deck build` without scene names to export the whole deck")
            return 0
        _export(where, formats, inputs, progress)
        return 0


def _nothing_to_do(where: Build, formats: Sequence[str], inputs: str) -> bool:
    """A whole-deck build with nothing changed since the last one: said in the usual
    lines, before manim is imported."""
    start = time.perf_counter()
    scenes = uptodate.scenes_if_unchanged(where, formats, inputs)
    if scenes is None:
        return False
    # what a killed build left, as the full build would remove
    atomic.discard_stale_in([where.folder, where.slides, where.beats])
    atomic.discard_stale(where.out_dir, where.stem)
    progress = ProgressLine(len(scenes))
    checked = (time.perf_counter() - start) / max(len(scenes), 1)
    for name in scenes:
        progress(name, "unchanged", checked)
    _up_to_date(where, progress)
    return True


def _export(where: Build, formats: Sequence[str], inputs: str, progress: ProgressLine) -> None:
    from deck.scenes import scene_names

    names = scene_names(where.talk)
    start = time.perf_counter()
    atomic.discard_stale(where.out_dir, where.stem)  # a killed export's temps
    options = export_options(where.talk)
    if export.up_to_date(where, names, formats, options=options):
        _up_to_date(where, progress)
    else:
        outputs = export.export(where, names, formats, options=options, pictures_dir=where.pictures)
        took = time.perf_counter() - start
        root = where.project.root
        for path in outputs:
            shown = path.relative_to(root) if path.is_relative_to(root) else path
            print(f"wrote {shown} ({path.stat().st_size / 2**20:.1f} MiB)")
        print(f"exported in {took:.0f} s; total {time.perf_counter() - progress.start:.0f} s")
    uptodate.record(where, names, formats, inputs)


def _up_to_date(where: Build, progress: ProgressLine) -> None:
    print(
        f"exports are up to date (presentations/{where.stem}*); "
        f"total {time.perf_counter() - progress.start:.0f} s"
    )
