"""What the speaker says and the audience sees is true (../shared/notes/facts.md), and the
screen is never empty in the middle of a slide.

Each claim that was once wrong has a phrasing that must not come back and, per beat, what
must be said instead, with the figures computed here from the preset's raw dimensions.
"""

from __future__ import annotations

import math
import re

import pytest

from deck.content.model import PRESETS
from deck.scenes import BY_NAME, SCENES
from tests.conftest import SCENE_PRESET_PARAMS, constructed

# Phrasings of false claims, matched case-insensitively against every note of every preset.
FALSE_CLAIMS = {
    "repeat_kv is not a view: expand + reshape materialises a copy": r"\bis a view\b",
    "the score depends on positions only through m − n, not on m − n only": (
        r"depends (only )?on m ?(−|-|minus) ?n( only)?\b"
    ),
    "the heatmap's head is hand-built, not a trained model's": (
        r"\breal (attention )?(weights|head)|trained model's head"
    ),
    "masked weights are exactly 0, not positive": r"every weight is positive",
    "d_k is the head size; its square root is not the head size": (r"square root of d_k, here \d+"),
    "GQA needs n_kv_heads times MQA's cache: not close to it": r"close to MQA'?s? memory",
}


def notes(scene_name: str, beat: str, preset: str) -> str:
    return BY_NAME[scene_name].notes_for(beat, PRESETS[preset])


def all_notes(preset: str) -> list[tuple[str, str]]:
    return [(b, s.notes_for(b, PRESETS[preset])) for s in SCENES for b in s.beat_names()]


@pytest.mark.parametrize("preset", list(PRESETS))
@pytest.mark.parametrize("claim", list(FALSE_CLAIMS))
def test_no_note_makes_a_false_claim(preset, claim):
    pattern = re.compile(FALSE_CLAIMS[claim], re.IGNORECASE)
    said = [beat for beat, text in all_notes(preset) if pattern.search(text)]
    assert not said, f"{claim}; said in {said}"


def squash(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("preset", list(PRESETS))
def test_repeat_kv_notes_say_what_is_copied_and_what_is_saved(preset):
    p = PRESETS[preset]
    said = notes("DataFlow", "repeat_kv", preset)
    assert "adds no weights" in said
    assert f"only the {p.n_kv_heads} KV heads" in said  # the cache
    assert f"copy of K and V for all {p.n_heads} heads" in said  # expand + reshape
    assert re.search(r"fused kernels .* index the shared head", said)
    # consistent with the data-flow slide, which says repeat_kv copies
    assert "copies each K/V head" in notes("DataFlow", "data_flow", preset)


@pytest.mark.parametrize("preset", list(PRESETS))
def test_rope_says_positions_enter_only_through_their_difference(preset):
    said = squash(notes("DataFlow", "rope", preset))
    assert "depends on the positions only through m minus n" in said
    assert "still depends on what the two vectors contain" in said
    card = shown_on("DataFlow", preset, "rope")
    assert "positions enter q·k only as m − n" in card
    assert "m − n only" not in card


@pytest.mark.parametrize("preset", list(PRESETS))
def test_heatmap_head_is_called_hand_built_on_the_slide_and_in_the_notes(preset):
    said = notes("AttentionWeights", "weights", preset)
    assert "hand-built, not taken from a trained model" in said
    assert "constructed" in said
    shown = shown_on("AttentionWeights", preset, "weights")
    assert "hand-built" in shown and "not a trained model" in shown


@pytest.mark.parametrize("preset", list(PRESETS))
def test_softmax_notes_allow_zero_weights(preset):
    said = notes("ScaledDotProduct", "step_softmax", preset)
    assert "at least zero" in said and "exactly zero" in said
    assert "weights ≥ 0" in shown_on("ScaledDotProduct", preset, "step_softmax")


@pytest.mark.parametrize("preset", list(PRESETS))
def test_formula_notes_give_d_k_not_its_root(preset):
    p = PRESETS[preset]
    said = notes("ScaledDotProduct", "formula", preset)
    assert f"d_k is the head size, {p.head_dim}" in said
    root = math.sqrt(p.head_dim)
    assert f"{root:g}" not in re.findall(r"\d+(?:\.\d+)?", said) or root == p.head_dim


@pytest.mark.parametrize("preset", list(PRESETS))
def test_kv_cache_notes_compare_gqa_with_both_neighbours(preset):
    p = PRESETS[preset]
    said = squash(notes("DataFlow", "kv_cache", preset))
    # cache size is proportional to the KV heads: MHA has n_heads, MQA one
    assert f"a cache {p.n_heads // p.n_kv_heads} times smaller than MHA's" in said
    assert f"yet {p.n_kv_heads} times MQA's" in said


def shown_on(scene_name: str, preset: str, beat: str) -> str:
    """The slide's texts at its end, joined by spaces: wrapped card lines read as one."""
    scene = constructed(scene_name, preset)
    (snap,) = [s for s in scene.snapshots if s.beat == beat]
    return squash(" ".join(i.text for i in snap.items if i.role == "text").replace("\u00a0", " "))


# ── never an empty screen mid-slide ─────────────────────────────────────
@pytest.mark.parametrize(("scene_name", "preset"), SCENE_PRESET_PARAMS)
def test_something_stays_on_screen_after_every_play(scene_name, preset):
    """A slide that fades everything out and then fades in, in two plays, shows an empty
    frame (only the header) between them; a cross-fade never does."""
    scene = constructed(scene_name, preset)
    beats = type(scene).beat_names()
    blank = [f"{beats[p.slide]} (play {n})" for n, p in enumerate(scene.plays) if p.shown == 0]
    assert not blank, f"the screen is empty after a play in: {blank}"
    assert {p.slide for p in scene.plays} == set(range(len(beats)))  # every slide checked
