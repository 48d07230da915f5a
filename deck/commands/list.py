"""`deck list`: every scene, its section and slides, and the first line of each slide's notes."""

from __future__ import annotations

import argparse

from deck.project import Project
from deck.talk import Talk


def run(args: argparse.Namespace, talk: Talk, project: Project) -> int:
    from deck.scenes import SCENES, placement  # manim

    for scene in SCENES:
        where = placement(scene)
        section = f"{where.section} · {scene.SECTION}" if scene.SECTION else "title"
        count = scene.slide_count()
        print(f"{scene.__name__} — {section} ({count} slide{'s' * (count != 1)})")
        for offset, name in enumerate(scene.beat_names()):
            notes = scene.notes_for(name, talk.model)
            first = notes.split(". ")[0].rstrip(".")
            print(f"  {where.first_slide + offset:>3}. {name}: {first}.")
    return 0
