"""Every term before it is used: no slide shows or says a term of deck/content/glossary.py
before the beat that defines it, in every talk the tests build."""

from __future__ import annotations

import pytest

from deck.content.glossary import TERMS
from deck.scenes import SCENES
from tests.conftest import TALKS, constructed, talk_for


def talk_words(talk_id: str) -> list[str]:
    """What the talk's own file says (title, subtitle, byline): the speaker's words, not
    the deck's (a title may well name the KV cache on the first slide)."""
    talk = talk_for(talk_id)
    fields = (talk.title, talk.subtitle, talk.speaker, talk.affiliation, talk.event)
    return [f for f in fields if f]


def slides(talk_id: str) -> list[tuple[str, str, str, str]]:
    """(scene, beat, screen text, notes) of every slide, in talk order."""
    own = talk_words(talk_id)
    found = []
    for scene in SCENES:
        for snap in constructed(scene.__name__, talk_id).snapshots:
            texts = [i.text for i in snap.items if i.text and not any(i.text in w for w in own)]
            found.append((scene.__name__, snap.beat, " | ".join(texts), snap.notes))
    return found


@pytest.mark.parametrize("term", TERMS, ids=lambda t: t.name)
def test_every_term_is_defined_by_a_beat_of_the_talk(term):
    beats = {(s.__name__, b) for s in SCENES for b in s.beat_names()}
    assert term.defined_in in beats, f"{term.name}: no beat {term.defined_in}"


@pytest.mark.parametrize("preset", TALKS)
def test_no_term_is_used_before_its_definition(preset):
    shown = slides(preset)
    where = [(scene, beat) for scene, beat, _, _ in shown]
    early = []
    for term in TERMS:
        defined = where.index(term.defined_in)
        assert term.found_in(shown[defined][3]), f"{term.name}: its defining notes omit it"
        for number, (_, beat, screen, notes) in enumerate(shown[:defined], start=1):
            for place, text in (("screen", screen), ("notes", notes)):
                if term.found_in(text):
                    early.append(f"{term.name!r} on slide {number} ({beat}, {place})")
    assert not early, "used before the slide that defines it: " + "; ".join(early)


def test_a_term_used_too_early_is_caught():
    """The check itself: "prefill" said on the title slide would be caught."""
    (prefill,) = [t for t in TERMS if t.name == "prefill"]
    assert prefill.found_in("the prefill writes the cache") and not prefill.found_in("a pre-fill")
    (kv,) = [t for t in TERMS if t.name == "KV head"]
    assert kv.found_in("4 KV heads") and kv.found_in("one key/value head")
