"""`deck list`: the talk as it will be built: its cut, every scene it shows with its
section, slides, words and minutes of notes (130 words a minute), each slide numbered
with the first line of its notes (the talk file's own notes marked), and the total."""

from __future__ import annotations

import argparse
import re

from deck.project import Project
from deck.talk import Talk
from deck.talk.lineup import CUTS

OWN_NOTES = " [own notes]"  # marks a slide whose notes the talk file gives
OWN_SLIDE = " [own slide]"  # marks a slide the talk file adds, `[[slide]]`
# a sentence ends at ". " unless the word before is an abbreviation a citation uses
SENTENCE_END = re.compile(r"(?<!\bal)(?<!\bet)(?<!\bcf)(?<!\be\.g)(?<!\bi\.e)\. ")


def first_sentence(notes: str) -> str:
    return SENTENCE_END.split(notes, maxsplit=1)[0].rstrip(".")


def run(args: argparse.Namespace, talk: Talk, project: Project) -> int:
    """The cut; every section with its slides, the words of its notes and how long they
    take to say; every slide with the first sentence of its notes; the total last."""
    from deck.export.pacing import WORDS_PER_MINUTE, speaking_minutes, words
    from deck.scenes import SECTION_OF, placement, scenes_of, total_slides  # manim
    from deck.scenes.base import one_line_paragraphs

    chosen = talk.chosen
    changed = " (sections or slides changed by the talk file)" if chosen.own else ""
    print(f"Cut: {chosen.cut} — {CUTS[chosen.cut].about}{changed}")
    total_words = 0
    for scene in scenes_of(talk):
        where = placement(scene, talk)
        section = f"{where.section} · {scene.SECTION}" if scene.SECTION else "title"
        count = len(where.slides)
        own = dict(where.notes)
        mine = {o.name: o for _, after in where.own_slides for o in after}
        notes = [
            one_line_paragraphs(mine[b].notes)
            if b in mine
            else scene.notes_for(b, talk.model, own.get(b), talk)
            for b in where.slides
        ]
        said = sum(words(n) for n in notes)
        total_words += said
        name_of = SECTION_OF[scene]  # the name the talk file's sections and skip use
        print(
            f"{name_of} — {section} ({count} slide{'s' * (count != 1)}, "
            f"{said:,} words, {speaking_minutes(said):.1f} min)"
        )
        for offset, (name, text) in enumerate(zip(where.slides, notes, strict=True)):
            number = where.first_slide + offset
            said = first_sentence(text) + "." if text else "(no notes)"
            if name in mine:
                print(f"  {number:>3}. {name}{OWN_SLIDE} {mine[name].title!r}: {said}")
                continue
            mark = OWN_NOTES if name in own else ""
            print(f"  {number:>3}. {name_of}.{name}{mark}: {said}")
        left_out = [b for b in scene.beat_names() if b not in where.beats]
        if left_out:
            print(f"       left out: {', '.join(left_out)}")
    print(
        f"Total: {total_slides(talk)} slides, {total_words:,} words, "
        f"{speaking_minutes(total_words):.1f} min at {WORDS_PER_MINUTE} words a minute"
    )
    return 0
