"""The talk file's choice of sections and slides (deck/talk/lineup.py): the catalogue it
reads from the scene modules is the scenes' own, the shipped cuts are what they say."""

from __future__ import annotations

import pytest

from deck.content.model import DEFAULT_PRESET, get_preset
from deck.export.pacing import speaking_minutes, words
from deck.scenes import SCENES
from deck.talk.lineup import CUTS, DEFAULT_CUT, EVERY_SECTION, catalogue, choose

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
    chosen = choose(sections=("evidence", "family"), skip=("family.one_group",))
    assert [s for s, _ in chosen.sections] == ["opening", "evidence", "family"]
    assert "family.one_group" not in chosen.slides()
    assert "family.highlight_gqa" in chosen.slides()
