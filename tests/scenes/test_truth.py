"""What the speaker says and the audience sees is true (../shared/notes/facts.md), and the
screen is never empty in the middle of a slide.

Each claim that was once wrong has a phrasing that must not come back and, per beat, what
must be said instead, with the figures computed here from the preset's raw dimensions.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from manim import ManimColor

from deck import format as fmt
from deck import theme
from deck.content.model import PRESETS
from deck.scenes import BY_NAME, SCENES
from deck.scenes.family import one_group_title
from tests.conftest import (
    CONFIGS,
    DEFAULT_PRESET,
    SCENE_PRESET_PARAMS,
    TALKS,
    constructed,
    talk_for,
)
from tests.scenes.test_content import held, params_of, slide_texts

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
    # issue 19, points 1-8
    "a step reads all weights but the input embedding, a lookup": r"\breads all [\d,]+ weights",
    "one multiply-add per weight, not per cached number": r"one multiply and one add per number",
    "the conversion example's errors do not show a trend": r"the more heads share one mean",
    "GQA shrinks the K/V projections' work, not none of the arithmetic": (
        r"not the attention arithmetic"
    ),
    "the parameter count is exact only given the vocabulary and tying": r"\bis exact:",
    "the 1/sqrt(d_k) argument needs independent, zero-mean components": (
        r"with unit-variance components"
    ),
    "RoPE turns d/2 planes, each by its own angle, not the vector by one": (
        r"rotates each (query and key )?vector by an angle"
    ),
    "Figure 1 draws the MHA -> MQA conversion only": r"drawn in its Figure 1",
    "uptraining is 5 % of the original pre-training steps": r"\d+ ?% of uptraining",
    "published figures are cited, not computed": r"every number you will see is computed",
    "MQA's instability is reported for fine-tuning": r"can train unstably",
}


def notes(scene_name: str, beat: str, preset: str) -> str:
    return BY_NAME[scene_name].notes_for(beat, talk_for(preset).model)


def all_notes(preset: str) -> list[tuple[str, str]]:
    model = talk_for(preset).model
    return [(b, s.notes_for(b, model)) for s in SCENES for b in s.beat_names()]


@pytest.mark.parametrize("preset", TALKS)
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
    blank = [f"{p.beat} (play {n})" for n, p in enumerate(scene.plays) if p.shown == 0]
    assert not blank, f"the screen is empty after a play in: {blank}"
    assert {p.beat for p in scene.plays} == set(beats)  # every slide checked


# ── issue 19: the retold talk's corrections, each with what must be said instead ──
def read_per_step(p) -> int:
    """Weights a decoding step reads, from the raw dimensions: the input embedding is a
    lookup of one row per token, so an untied model reads every weight but that table."""
    return params_of(p) - (0 if p.tie_embeddings else p.vocab * p.hidden)


def step_bytes(p, kv: int, batch: int) -> int:
    """Bytes one decoding step reads at the full context: the weights read, in bfloat16,
    and `batch` sequences' caches (K and V, every layer, `kv` heads, 2 bytes each)."""
    cache = 2 * p.n_layers * kv * p.head_dim * 2 * held(p, p.max_len)
    return 2 * read_per_step(p) + batch * cache


@pytest.mark.parametrize("preset", TALKS)
def test_a_step_reads_every_weight_but_the_input_embedding(preset):
    p = talk_for(preset).model
    read = read_per_step(p)
    shown = shown_on("WhyGQA", preset, "memory_bound")
    assert f"{read:,} weights" in shown
    if not p.tie_embeddings:
        assert read < params_of(p) and "all but the input embedding" in shown
    assert fmt.spoken(read) in notes("WhyGQA", "memory_bound", preset)


@pytest.mark.parametrize("preset", TALKS)
def test_each_cached_number_serves_its_groups_query_heads(preset):
    p = talk_for(preset).model
    group = p.n_heads // p.n_kv_heads
    said = notes("WhyGQA", "memory_bound", preset)
    assert "one multiply-add per weight" in said
    if group > 1:
        assert f"{group} per cached number, one per query head sharing it" in said
        assert f"{group} multiply-adds per cached number" in shown_on(
            "WhyGQA", preset, "memory_bound"
        )


@pytest.mark.parametrize("preset", TALKS)
def test_the_saving_per_step_grows_with_batch_times_context(preset):
    p = talk_for(preset).model
    assert "grows with batch times context" in notes("WhyGQA", "memory_bound", preset)
    one = step_bytes(p, p.n_heads, 1) / step_bytes(p, p.n_kv_heads, 1)
    assert f"reads only {fmt.spoken(round(one, 2))} times GQA's bytes" in squash(
        notes("WhyGQA", "cache_vs_context", preset)
    )
    batch = int(re.search(r"A batch of (\d+)", shown_on("WhyGQA", preset, "batch"))[1])
    many = step_bytes(p, p.n_heads, batch) / step_bytes(p, p.n_kv_heads, batch)
    assert many > one  # more sequences, more of every step is cache
    said = squash(notes("WhyGQA", "batch", preset))
    assert f"reads {fmt.spoken(round(many, 2))} times GQA's bytes" in said


def test_the_demo_models_saving_is_the_reviewers_figure():
    """facts.md: MHA/GQA bytes per step at 2,048 tokens, 1.15× at batch 1, 4.35× at 64."""
    p = talk_for("demo-1b").model
    assert step_bytes(p, 24, 1) / step_bytes(p, 4, 1) == pytest.approx(1.153, abs=1e-3)
    assert step_bytes(p, 24, 64) / step_bytes(p, 4, 64) == pytest.approx(4.347, abs=1e-3)
    assert read_per_step(p) == 795_403_776


def test_mistral_keeps_only_its_window():
    """Jiang et al. 2023, Table 1: window_size 4096; at 8,192 tokens GQA's cache is
    512 MiB (32 layers × 8 KV heads × 128 × 2 × 2 bytes × 4,096 tokens), not 1 GiB."""
    p = PRESETS["mistral-7b"]
    assert p.layer_windows == (4096,) * p.n_layers
    assert 2 * 32 * 8 * 128 * 2 * 4096 == 512 * 2**20
    shown = shown_on("DataFlow", "mistral-7b", "kv_cache")
    assert "KV cache at 8,192 tokens" in shown and "512 MiB" in shown
    assert "1 GiB" not in shown
    assert "sliding window" in shown_on("WhyGQA", "mistral-7b", "cache_vs_context")
    assert "sliding window of 4K tokens" in notes("WhyGQA", "cache_vs_context", "mistral-7b")


@pytest.mark.parametrize("preset", TALKS)
def test_the_previous_token_query_is_its_key_turned_back(preset):
    assert "turned back one position" in shown_on("AttentionWeights", preset, "previous_token")
    assert "turned back one position" in notes("AttentionWeights", "previous_token", preset)
    assert "turned one position on" not in shown_on("AttentionWeights", preset, "previous_token")


@pytest.mark.parametrize("preset", TALKS)
def test_the_conversion_error_is_defined_and_not_taken_for_evidence(preset):
    shown = shown_on("Conversion", preset, "conversion_error")
    assert "relative error ‖y′ − y‖ / ‖y‖" in shown and re.search(r"\bseed \d+", shown)
    assert "other seeds give other figures" in shown
    assert "Ainslie et al. 2023, Figure 4" in shown
    said = notes("Conversion", "conversion_error", preset)
    assert "one random seed" in said and "not always in this order" in said
    assert "Figure 4: mean-pooling beats keeping the first head" in said


@pytest.mark.parametrize("preset", TALKS)
def test_the_references_count_is_the_slides(preset):
    """The works are listed over two slides; each ends on its arXiv id or repository."""
    said = notes("Closing", "references", preset)
    (count,) = re.findall(r"The (\d+) works", said)
    shown = " ".join(shown_on("Closing", preset, b) for b in ("references", "more_references"))
    listed = len(re.findall(r"arXiv:\d{4}\.\d{4,5}|GitHub \S+/\S+", shown))
    assert int(count) == listed


@pytest.mark.parametrize("preset", TALKS)
def test_imprecise_claims_are_stated_precisely(preset):
    p = talk_for(preset).model
    said = dict(all_notes(preset))
    # repeat_kv: the K/V projections shrink; the per-head arithmetic does not
    assert "still run per query head" in said["repeat_kv"]
    # "close to MHA" only with the paper's setting: T5-XXL, GQA in an encoder-decoder
    for beat, text in said.items():
        if re.search(r"(close to|almost) MHA", text):
            assert "T5-XXL" in text, beat
    assert "encoder-decoder" in said["gqa_point"] and "Limitations" in said["gqa_point"]
    # the count is exact for the vocabulary and tying it assumes
    assert f"exact for a vocabulary of {fmt.spoken(p.vocab)}" in squash(said["spec_card"])
    # the scale: independent, zero-mean, unit-variance components
    assert "independent, zero-mean and unit-variance" in squash(said["step_scale"])
    # RoPE: d/2 planes, each by its own angle
    assert f"{p.head_dim // 2} planes" in said["rope"]
    assert "d/2 planes" in shown_on("DataFlow", preset, "rope")
    # Figure 1 draws MHA -> MQA; grouping is §2.2
    assert "Figure 1 draws the MQA case" in shown_on("Conversion", preset, "mean_pool")
    # uptraining: 5 % of the original pre-training steps
    for beat in ("uptraining", "takeaways"):
        assert "of the original pre-training steps" in squash(said[beat]), beat
    # slide 1: the model's figures are computed; published ones are cited, not computed
    assert "computed from" not in said["title"]
    # MQA's instability: in fine-tuning, Appendix A
    assert "instability in fine-tuning (Appendix A)" in squash(said["highlight_mqa"])


@pytest.mark.parametrize("theme_name", theme.THEMES)
def test_the_group_slide_says_how_weight_looks_in_its_theme(theme_name):
    """ "brighter: more weight" only where the ramp's heaviest colour is the lighter one."""
    with theme.use(theme_name):
        low, high = (np.asarray(ManimColor(c).to_rgb()) for c in theme.HEAT_STOPS[::5])
        heavier_is_lighter = high.mean() > low.mean()  # plain RGB mean, not the deck's luminance
        subtitle = one_group_title(talk_for(DEFAULT_PRESET).model)[1].original_text
    assert ("brighter: more weight" in subtitle) == heavier_is_lighter
    assert ("darker: more weight" in subtitle) != heavier_is_lighter


def test_the_calculator_slide_marks_a_window_and_says_it():
    """Mistral 7B's row stands at its 8,192 tokens, but its cache keeps 4,096 (its
    config.json's sliding_window): the row's tokens are marked and the footnote says so."""
    window = json.loads((CONFIGS / "Mistral-7B-v0.1" / "config.json").read_text())["sliding_window"]
    shown = slide_texts("KVCalculator", DEFAULT_PRESET, "calculator")
    mistral = PRESETS["mistral-7b"]
    assert f"{mistral.max_len:,}†" in shown
    assert f"{PRESETS['llama-3-8b'].max_len:,}" in shown  # no mark without a window
    footnote = next(t for t in shown if t.startswith("†"))
    assert f"Mistral 7B keeps the last {window:,} tokens" in footnote
