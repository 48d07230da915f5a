"""The talk file's choice of sections and slides (deck/talk/lineup.py): the catalogue it
reads from the scene modules is the scenes' own, the shipped cuts are what they say."""

from __future__ import annotations

import pytest

from deck.content.glossary import TERMS
from deck.content.model import DEFAULT_PRESET, get_preset
from deck.export.pacing import speaking_minutes, words
from deck.scenes import SCENES
from deck.talk.lineup import CUTS, DEFAULT_CUT, EVERY_SECTION, NEEDS, catalogue, choose

BY_SECTION = {s.__module__.rsplit(".", 1)[1]: s for s in SCENES}


def test_the_catalogue_is_the_scenes_own():
    assert tuple(BY_SECTION) == EVERY_SECTION
    assert catalogue() == {name: tuple(s.beat_names()) for name, s in BY_SECTION.items()}


def test_the_default_cut_is_every_slide_in_order():
    chosen = choose()
    assert chosen.slides() == [f"{n}.{b}" for n, s in BY_SECTION.items() for b in s.beat_names()]
    assert CUTS[DEFAULT_CUT].skip == ()


def said_minutes(cut: str) -> float:
    model = get_preset(DEFAULT_PRESET)
    total = sum(
        words(BY_SECTION[s].notes_for(b, model)) for s, beats in choose(cut).sections for b in beats
    )
    return speaking_minutes(total)


def test_the_cuts_take_what_they_say():
    assert 5 <= said_minutes("lightning") <= 7
    assert said_minutes("lightning") < said_minutes("short") < said_minutes("talk")


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"cut": "lightnin"}, "did you mean 'lightning'"),
        ({"sections": ("evidense",)}, "did you mean 'evidence'"),
        ({"sections": ("family", "family")}, "listed twice"),
        ({"sections": ("family", "opening")}, "comes first"),
        ({"skip": ("evidence.model_table",)}, "did you mean 'evidence.models_table'"),
        ({"sections": ("family",), "skip": ("evidence.figure3",)}, "leaves out"),
        ({"skip": ("opening.title",)}, "title slide"),
        ({"skip": ("kv_calculator.calculator",)}, "leave the section out"),
    ],
)
def test_a_wrong_name_is_one_line_naming_it(options, message):
    with pytest.raises(ValueError, match=message) as caught:
        choose(**options)
    assert "\n" not in str(caught.value)


def test_sections_reordered_and_a_slide_skipped():
    chosen = choose(
        sections=("evidence", "family", "why_gqa", "conversion"), skip=("family.one_group",)
    )
    assert [s for s, _ in chosen.sections] == [
        "opening",
        "evidence",
        "family",
        "why_gqa",
        "conversion",
    ]
    assert "family.one_group" not in chosen.slides()
    assert "family.highlight_gqa" in chosen.slides()


@pytest.mark.parametrize("section", sorted(NEEDS))
def test_a_section_without_what_it_needs_is_one_line_naming_it(section):
    (need, *_) = NEEDS[section]
    alone = tuple(n for n in closure(section) if n != need)  # the section comes first
    with pytest.raises(ValueError) as caught:
        choose(sections=alone)
    assert str(caught.value) == (
        f"sections: {section!r} builds on the section {need!r}, which the talk leaves out; "
        f"add {need!r} or leave {section!r} out"
    )


def closure(section: str) -> list[str]:
    """`section` and every section it needs, transitively."""
    found = [section]
    for name in found:
        found += [n for n in NEEDS.get(name, ()) if n not in found]
    return found


def test_every_cut_has_what_its_sections_need():
    for cut in CUTS.values():
        for section in cut.sections:
            assert set(NEEDS.get(section, ())) <= set(cut.sections), (cut.name, section)


def test_the_needs_name_sections_that_define_terms_the_section_uses():
    """Each need is real: the needed section (or one it needs) defines a term of the
    glossary (deck/content/glossary.py), and the table has no cycle."""
    defined = {BY_SECTION[s].__name__: s for s in EVERY_SECTION}
    defining = {defined[t.scene] for t in TERMS}
    for section, needs in NEEDS.items():
        assert section in EVERY_SECTION and set(needs) <= set(EVERY_SECTION)
        for need in needs:
            assert section not in closure(need), f"{section} and {need} need each other"
            assert defining & set(closure(need)), (section, need)


def test_a_lineup_names_its_build_after_its_cut():
    assert choose().label == ""
    assert choose("lightning").label == "lightning"
    assert choose("short", sections=EVERY_SECTION).label == ""  # the whole talk after all
    own = choose(sections=("why_gqa", "family"), skip=("family.one_group",))
    other = choose(sections=("why_gqa", "family"))
    assert own.label.startswith("talk-own-") and other.label.startswith("talk-own-")
    assert own.label != other.label
