"""`deck list`: every scene, its section, slides, words and minutes of notes (130 words a
minute), the first line of each slide's notes, and the talk's total."""

from __future__ import annotations

import argparse

from deck.project import Project
from deck.talk import Talk


def run(args: argparse.Namespace, talk: Talk, project: Project) -> int:
    """Every section with its slides, the words of its notes and how long they take to
    say; every slide with the first sentence of its notes; the talk's total last."""
    from deck.export.pacing import WORDS_PER_MINUTE, speaking_minutes, words
    from deck.scenes import SCENES, placement  # manim

    total_words = 0
    for scene in SCENES:
        where = placement(scene)
        section = f"{where.section} · {scene.SECTION}" if scene.SECTION else "title"
        count = scene.slide_count()
        notes = [scene.notes_for(name, talk.model) for name in scene.beat_names()]
        said = sum(words(n) for n in notes)
        total_words += said
        print(
            f"{scene.__name__} — {section} ({count} slide{'s' * (count != 1)}, "
            f"{said:,} words, {speaking_minutes(said):.1f} min)"
        )
        for offset, (name, text) in enumerate(zip(scene.beat_names(), notes, strict=True)):
            first = text.split(". ")[0].rstrip(".")
            print(f"  {where.first_slide + offset:>3}. {name}: {first}.")
    slides = sum(s.slide_count() for s in SCENES)
    print(
        f"Total: {slides} slides, {total_words:,} words, "
        f"{speaking_minutes(total_words):.1f} min at {WORDS_PER_MINUTE} words a minute"
    )
    return 0
