"""What the slides say: slide counts, notes, and every number checked against the preset."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
import pytest

from deck import compat
from deck.model import PRESETS
from deck.scenes import SCENES, total_slides
from deck.sources import GQA_FIGURE2
from tests.conftest import SCENE_PRESET_PARAMS, constructed

NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


@pytest.mark.parametrize(("scene_name", "preset"), SCENE_PRESET_PARAMS)
def test_one_slide_per_beat_each_with_notes(scene_name, preset):
    scene = constructed(scene_name, preset)
    expected = type(scene).slide_count()
    assert len(scene.snapshots) == expected
    # manim-slides closes the last slide when saving; the others are recorded already
    recorded = compat.recorded_slide_notes(scene)
    assert recorded == [s.notes for s in scene.snapshots]
    for snap in scene.snapshots:
        sentences = len(SENTENCE_END.findall(snap.notes))
        assert 2 <= sentences <= 5, f"{snap.beat}: {sentences} sentences of notes"
        assert "{" not in snap.notes, f"{snap.beat}: unfilled template field"


def test_the_talk_has_every_pause_point():
    names = [n for s in SCENES for n in s.beat_names()]
    for beat in (
        "memory_bound",
        "fill_kv_heads",
        "cache_vs_context",
        "batch",
        "highlight_mha",
        "highlight_gqa",
        "highlight_mqa",
        "prefill",
        "step_1",
        "step_2",
        "step_3",
        "rope",
        "gqa_ratio",
        "repeat_kv",
        "spec_card",
        "qkv_meaning",
        "formula",
        "step_scores",
        "step_scale",
        "step_softmax",
        "step_values",
        "weights",
        "causal_mask",
        "previous_token",
    ):
        assert beat in names
    assert total_slides() >= 30


@dataclass(frozen=True)
class Expected:
    """A preset's figures, computed here from its raw dimensions (not by deck.model)."""

    numbers: set[float]
    strings: list[str]


def binary(n: int) -> tuple[float, str]:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024:
            return n, unit
        n /= 1024
    return n, "PiB"


# The byte sizes the test knows, as the model's config names them (not from deck.model).
BYTES_PER_VALUE = {"bfloat16": 2, "float16": 2, "float32": 4}
DECODING_TOKENS = 7  # the decoding slides' sentence: a prompt of 4, then 3 steps
BATCH_LIMITS = (2, 256)  # the chart's batch: a power of two within these


def binary_text(n: float) -> str:
    value, unit = binary(n)
    return f"{value:.1f}".removesuffix(".0") + f" {unit}"


def preset_params(p) -> int:
    d, h, kv, hd = p.hidden, p.n_heads, p.n_kv_heads, p.head_dim
    per_layer = d * h * hd + 2 * d * kv * hd + h * hd * d + 3 * d * p.ffn + 2 * d
    return p.n_layers * per_layer + (1 if p.tie_embeddings else 2) * p.vocab * d + d


def first_reaching(per_token: int, weights: int, max_len: int) -> int | None:
    """The fewest tokens whose cache, at `per_token` bytes each, is at least `weights`."""
    tokens = -(-weights // per_token)
    return tokens if tokens <= max_len else None


def expected_for(name: str) -> Expected:
    p = PRESETS[name]
    d, h, kv, hd, L = p.hidden, p.n_heads, p.n_kv_heads, p.head_dim, p.n_layers
    params = preset_params(p)
    numbers = {float(n) for n in NUMBER.findall(p.title)}  # "Llama 3 8B" is a name
    numbers |= {
        L,
        d,
        h,
        kv,
        hd,
        p.ffn,
        p.vocab,
        p.max_len,
        h // kv,
        1,
        params,
        round(params / 1e9, 2),
        round(100 * (1 - kv / h), 1),
        16,
    }  # 16: bfloat16
    root = math.sqrt(hd)
    numbers.add(root if root.is_integer() else round(root, 1))
    strings = [f"{params:,}", f"GQA {h // kv}:1", f"{d} → {h}×{hd}", f"{d} → {kv}×{hd}"]
    # the KV cache: per token, at the full context, while decoding, for a batch
    size = BYTES_PER_VALUE[p.dtype]
    weights = params * size
    per_token = {heads: 2 * L * heads * hd * size for heads in (h, kv, 1)}
    batch = BATCH_LIMITS[0]
    while batch < BATCH_LIMITS[1] and per_token[kv] * p.max_len * batch < weights:
        batch *= 2
    numbers |= {size, batch, *per_token.values()}
    numbers.add(round(binary(weights)[0], 1))
    strings += [
        f"{params:,} parameters × {size} bytes",
        f"= {binary_text(weights)}, read in full",
        f"weights {binary_text(weights)}",
        f"= {per_token[kv]:,} bytes = {binary_text(per_token[kv])} per token",
        f"A batch of {batch}",
        f"MHA = GQA-{h}",
        f"GQA-{kv}",
        "MQA = GQA-1",
    ]
    for heads in (h, kv, 1):
        for tokens in (1, p.max_len):
            value, _ = binary(2 * L * heads * hd * 2 * tokens)
            numbers.add(round(value, 1))
            strings.append(binary_text(2 * L * heads * hd * 2 * tokens))
        for n in (p.max_len * batch, *range(1, DECODING_TOKENS + 1)):
            numbers.add(round(binary(per_token[heads] * n)[0], 1))
        for b in (1, batch):
            reached = first_reaching(per_token[heads] * b, weights, p.max_len)
            if reached is not None:
                numbers.add(reached)
                strings.append(f"{reached:,} tokens")
    for heads in (h, kv):
        strings.append(
            f"{DECODING_TOKENS} tokens: {binary_text(per_token[heads] * DECODING_TOKENS)}"
        )
    # the chart's axes: context lengths are powers of two, bytes are labelled 1 KiB, 1 MiB, ...
    numbers |= {2**e for e in range(p.max_len.bit_length())}
    cited = NUMBER.findall(GQA_FIGURE2.source)  # the family slide's source: year, figure
    numbers |= {float(n.replace(",", "")) for n in cited}
    numbers |= set(range(1, total_slides() + 1))  # slide counter and step numbers
    numbers |= {0.0, 0.5, 1.0}  # the colour legend
    return Expected(numbers, strings)


def calculator_figures() -> Expected:
    """What the calculator's slide shows of every preset: its name, max length, heads, and
    at that length (one sequence, bfloat16: 2 bytes) the KV cache of MHA, its GQA and MQA
    (K and V, every layer, every KV head) and the weights, in binary units."""
    numbers, strings = set(), []
    for p in PRESETS.values():
        numbers |= {float(n) for n in NUMBER.findall(p.title)}
        numbers |= {p.max_len, p.n_heads, p.n_kv_heads}
        row = [p.title, f"{p.max_len:,}", f"{p.n_heads} / {p.n_kv_heads}"]
        for heads in (p.n_heads, p.n_kv_heads, 1):
            row.append(binary_text(2 * p.n_layers * heads * p.head_dim * 2 * p.max_len))
        row.append(binary_text(2 * preset_params(p)))
        numbers |= {float(NUMBER.search(cell)[0]) for cell in row[-4:]}
        strings += row
    return Expected(numbers, strings)


# Scenes that show other presets' figures besides the talk's.
ALSO_SHOWN = {"KVCalculator": calculator_figures}


def on_screen_text(scene_name: str, preset: str) -> list[tuple[str, str]]:
    scene = constructed(scene_name, preset)
    return [
        (snap.beat, item.text)
        for snap in scene.snapshots
        for item in snap.items
        if item.role == "text"
    ]


@pytest.mark.parametrize(("scene_name", "preset"), SCENE_PRESET_PARAMS)
def test_every_number_on_screen_comes_from_the_preset(scene_name, preset):
    allowed = expected_for(preset).numbers
    if scene_name in ALSO_SHOWN:
        allowed |= ALSO_SHOWN[scene_name]().numbers
    scene = constructed(scene_name, preset)
    example = getattr(scene, "example", None)
    if example is not None:
        allowed |= {round(float(w), 2) for w in np.asarray(example.weights).ravel()}
    for beat, content in on_screen_text(scene_name, preset):
        for token in NUMBER.findall(content):
            value = float(token.replace(",", ""))
            assert value in allowed, f"{beat}: {token!r} in {content!r} is not a preset figure"


def deck_text(preset: str) -> str:
    """Every text on every slide of the deck, joined."""
    return " | ".join(t for s in SCENES for _, t in on_screen_text(s.__name__, preset))


def assert_shown(preset: str, strings) -> None:
    shown = deck_text(preset)
    missing = [s for s in strings if s not in shown]
    assert not missing, f"not on any slide of {preset}: {missing}"


@pytest.mark.parametrize("preset", list(PRESETS))
def test_key_figures_are_shown(preset):
    assert_shown(preset, expected_for(preset).strings)


def test_default_preset_figures_match_the_reference():
    """The spec card's figures, as published in the reference table (facts.md)."""
    assert_shown(
        "gqa-1b",
        (
            "949,003,776",
            "≈ 0.95 B",
            "vocabulary 100,000, untied",
            "GQA 6:1",
            "−83.3 %",
            "144 KiB",
            "24 KiB",
            "6 KiB",
            "288 MiB",
            "48 MiB",
            "12 MiB",
            "24 × decoder block",
            "4608",
            "2,048 tokens",
            "bfloat16",
            "1536 → 24×64",
            "1536 → 4×64",
            "24×64 → 1536",
            "4 → 24 heads",
            "√64 = 8",
        ),
    )


@pytest.mark.parametrize("preset", list(PRESETS))
def test_calculator_slide_shows_every_preset(preset):
    shown = " | ".join(t for _, t in on_screen_text("KVCalculator", preset))
    missing = [s for s in calculator_figures().strings if s not in shown]
    assert not missing, f"not on the calculator's slide for {preset}: {missing}"


def test_calculator_figures_match_the_reference():
    """facts.md's KV cache at 2,048 tokens, and the weights of its parameter counts."""
    shown = " | ".join(t for _, t in on_screen_text("KVCalculator", "gqa-1b"))
    for figure in ("288 MiB", "48 MiB", "12 MiB", "1.8 GiB", "15 GiB", "13.5 GiB", "4.5 GiB"):
        assert figure in shown


def test_llama_figures_match_the_reference():
    assert_shown(
        "llama-3-8b",
        (
            "8,030,261,248",
            "GQA 4:1",
            "−75 %",
            "512 KiB",
            "128 KiB",
            "16 KiB",
            "4 GiB",
            "1 GiB",
            "128 MiB",
            "√128 ≈ 11.3",
        ),
    )


def _boxes(items, role):
    return [i for i in items if i.role == role]


@pytest.mark.parametrize("preset", ["gqa-1b", "llama-3-8b"])
def test_highlights_surround_what_the_slide_names(preset):
    scene = constructed("DataFlow", preset)
    d = scene.diagram
    targets = {"rope": {"q", "k"}, "gqa_ratio": {"k", "v"}, "repeat_kv": {"repeat"}}
    nodes = {name: getattr(d, name).box for name in ("q", "k", "v", "repeat")}
    for snap in scene.snapshots:
        if snap.beat not in targets:
            continue
        marks = _boxes(snap.items, "decor")
        for name, box in nodes.items():
            surrounded = any(
                m.left <= box.get_left()[0]
                and box.get_right()[0] <= m.right
                and m.bottom <= box.get_bottom()[1]
                and box.get_top()[1] <= m.top
                and m.right - m.left < box.width + 0.5
                for m in marks
            )
            assert surrounded == (name in targets[snap.beat]), (snap.beat, name)


def test_previous_token_slide_shows_the_real_weights():
    scene = constructed("AttentionWeights", "gqa-1b")
    w = np.asarray(scene.example.weights)
    snap = scene.snapshots[-1]
    shown = sorted(i.text for i in snap.items if re.fullmatch(r"\d\.\d\d", i.text))
    expected = sorted(f"{w[i, i - 1]:.2f}" for i in range(1, len(w)))
    assert shown == expected
    # what the label claims: every highlighted cell is the largest weight of its row
    for i in range(1, len(w)):
        assert np.argmax(w[i]) == i - 1
