"""`deck list`: the talk as it will be built: its cut, every scene it shows with its
section, slides, words and minutes of notes (130 words a minute), each slide numbered
with the first line of its notes (the talk file's own notes marked), and the total."""

from __future__ import annotations

import argparse

from deck.project import Project
from deck.talk import Talk
from deck.talk.lineup import CUTS

OWN_NOTES = " [own notes]"  # marks a slide whose notes the talk file gives


def run(args: argparse.Namespace, talk: Talk, project: Project) -> int:
    """The cut; every section with its slides, the words of its notes and how long they
    take to say; every slide with the first sentence of its notes; the total last."""
    from deck.export.pacing import WORDS_PER_MINUTE, speaking_minutes, words
    from deck.scenes import placement, scenes_of, total_slides  # manim

    chosen = talk.chosen
    changed = " (sections or slides changed by the talk file)" if chosen.own else ""
    print(f"Cut: {chosen.cut} — {CUTS[chosen.cut].about}{changed}")
    total_words = 0
    for scene in scenes_of(talk):
        where = placement(scene, talk)
        section = f"{where.section} · {scene.SECTION}" if scene.SECTION else "title"
        count = len(where.beats)
        own = dict(where.notes)
        notes = [scene.notes_for(b, talk.model, own.get(b), talk) for b in where.beats]
        said = sum(words(n) for n in notes)
        total_words += said
        print(
            f"{scene.__name__} — {section} ({count} slide{'s' * (count != 1)}, "
            f"{said:,} words, {speaking_minutes(said):.1f} min)"
        )
        for offset, (name, text) in enumerate(zip(where.beats, notes, strict=True)):
            first = text.split(". ")[0].rstrip(".")
            mark = OWN_NOTES if name in own else ""
            print(f"  {where.first_slide + offset:>3}. {name}{mark}: {first}.")
        left_out = [b for b in scene.beat_names() if b not in where.beats]
        if left_out:
            print(f"       left out: {', '.join(left_out)}")
    print(
        f"Total: {total_slides(talk)} slides, {total_words:,} words, "
        f"{speaking_minutes(total_words):.1f} min at {WORDS_PER_MINUTE} words a minute"
    )
    return 0
