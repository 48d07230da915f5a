"""What the slides say: slide counts, notes, and every number checked against the preset."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pytest

from deck import theme
from deck.compat.manim_slides import recorded_slide_notes
from deck.content.attention import conversion_example
from deck.content.model import PRESETS
from deck.content.sources import GQA_FIGURE2
from deck.scenes import SCENES, total_slides
from tests.conftest import (
    BIG_CONFIGS,
    CONFIGS,
    SCENE_PRESET_PARAMS,
    SPEAKER,
    SPEAKER_TALK,
    TALKS,
    constructed,
    talk_for,
)
from tests.test_attention import _reference_relative_errors

HEADER_BOTTOM = theme.CONTENT_TOP + 0.1  # the section title and counter sit above this
NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


@pytest.mark.parametrize(("scene_name", "preset"), SCENE_PRESET_PARAMS)
def test_one_slide_per_beat_each_with_notes(scene_name, preset):
    scene = constructed(scene_name, preset)
    expected = type(scene).slide_count()
    assert len(scene.snapshots) == expected
    # manim-slides closes the last slide when saving; the others are recorded already
    recorded = recorded_slide_notes(scene)
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
        "mean_pool",
        "conversion_error",
        "model_heads",
        "uptraining",
        "figure3",
        "gqa_point",
        "models_table",
        "takeaways",
        "references",
        "thanks",
    ):
        assert beat in names
    assert total_slides() >= 30


@dataclass(frozen=True)
class Expected:
    """A preset's figures, computed here from its raw dimensions (not by deck.content.model)."""

    numbers: set[float]
    strings: list[str]


def binary(n: int) -> tuple[float, str]:
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024:
            return n, unit
        n /= 1024
    return n, "PiB"


# The byte sizes the test knows, as the model's config names them (not from deck.content.model).
BYTES = {"bfloat16": 2, "float16": 2, "float32": 4}
DECODING_TOKENS = 7  # the decoding slides' sentence: a prompt of 4, then 3 steps
BATCH_LIMITS = (2, 256)  # the chart's batch: a power of two within these


def binary_text(n: float) -> str:
    """One decimal, halves rounded up (1.25 GiB is "1.3 GiB"), from the exact fraction."""
    value, unit = binary(Fraction(n))
    tenths = math.floor(value * 10 + Fraction(1, 2))
    return (f"{tenths / 10:.1f}").removesuffix(".0") + f" {unit}"


def raw_dims(name: str):
    """The talk's model, for its raw dimensions only; the parts this file's counts leave
    out must be absent."""
    p = talk_for(name).model
    assert not (p.o_bias or p.mlp_bias) and p.norms_per_layer == 2, name
    assert len(set(p.layer_windows)) <= 1, name  # no window, or one for every layer (Mistral)
    return p


def held(p, tokens: int) -> int:
    """Tokens each layer's cache holds: a sliding window (the same in every layer, as
    Mistral 7B's 4,096, Jiang et al. 2023 Table 1) keeps only the last `window`."""
    window = p.layer_windows[0] if p.layer_windows else None
    return tokens if window is None else min(tokens, window)


def params_of(p, n_kv_heads: int | None = None) -> int:
    """Parameters from the dimensions: attention, q/k norms (Qwen3), q/k/v biases (Qwen2),
    SwiGLU, two RMSNorms per layer, embeddings and the final norm."""
    d, h, hd = p.hidden, p.n_heads, p.head_dim
    kv = p.n_kv_heads if n_kv_heads is None else n_kv_heads
    per_layer = d * h * hd + 2 * d * kv * hd + h * hd * d + 3 * d * p.ffn + 2 * d
    per_layer += (2 * hd if p.qk_norm else 0) + ((h + 2 * kv) * hd if p.qkv_bias else 0)
    return p.n_layers * per_layer + (1 if p.tie_embeddings else 2) * p.vocab * d + d


def kv_bytes_per_token(p) -> int:
    return 2 * p.n_layers * p.n_kv_heads * p.head_dim * BYTES[p.dtype]


def test_the_count_matches_the_published_totals():
    assert params_of(raw_dims(SPEAKER_TALK)) == 4_022_468_096  # Qwen3-4B, facts.md
    assert params_of(raw_dims("llama-3-8b")) == 8_030_261_248
    assert params_of(raw_dims("demo-1b")) == 949_003_776


def first_reaching(per_token: int, weights: int, p) -> int | None:
    """The fewest tokens whose cache, at `per_token` bytes each, is at least `weights`
    (none if the cache stops below it, at the context or at the window)."""
    tokens = -(-weights // per_token)
    return tokens if tokens <= held(p, p.max_len) else None


def expected_for(name: str) -> Expected:
    p = raw_dims(name)
    d, h, kv, hd, L = p.hidden, p.n_heads, p.n_kv_heads, p.head_dim, p.n_layers
    params = params_of(p)

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
    size = BYTES[p.dtype]
    weights = params * size
    per_token = {heads: 2 * L * heads * hd * size for heads in (h, kv, 1)}
    batch = BATCH_LIMITS[0]
    while batch < BATCH_LIMITS[1] and per_token[kv] * held(p, p.max_len) * batch < weights:
        batch *= 2
    numbers |= {size, batch, *per_token.values()}
    numbers.add(round(binary(weights)[0], 1))
    # a decoding step reads every weight but the input embedding, a lookup (unless tied)
    read = params - (0 if p.tie_embeddings else p.vocab * d)
    numbers |= {read, round(binary(read * size)[0], 1)}
    strings += [
        f"{read:,} weights × {size} bytes",
        f"= {binary_text(read * size)}, read for every token",
        f"{h // kv} multiply-adds per cached number" if h > kv else "one multiply-add per",
        f"weights {binary_text(weights)}",
        f"= {per_token[kv]:,} bytes = {binary_text(per_token[kv])} per token",
        f"A batch of {batch}",
        f"MHA = GQA-{h}",
        f"GQA-{kv}",
        "MQA = GQA-1",
    ]
    for heads in (h, kv, 1):
        for tokens in (1, p.max_len):
            value, _ = binary(2 * L * heads * hd * 2 * held(p, tokens))
            numbers.add(round(value, 1))
            strings.append(binary_text(2 * L * heads * hd * 2 * held(p, tokens)))
        for n in (held(p, p.max_len) * batch, *range(1, DECODING_TOKENS + 1)):
            numbers.add(round(binary(per_token[heads] * n)[0], 1))
        for b in (1, batch):
            reached = first_reaching(per_token[heads] * b, weights, p)
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
    if name == SPEAKER_TALK:  # the byline: the event's name and the date
        numbers |= numbers_in(*(v for v in SPEAKER.values() if isinstance(v, str)))
        numbers |= {SPEAKER["date"].day, SPEAKER["date"].year}
    # converting an MHA checkpoint with the model's shapes removes K and V heads
    removed = params_of(p, h) - params
    assert removed == L * 2 * (h - kv) * hd * (d + (1 if p.qkv_bias else 0))
    numbers.add(removed)
    strings += [f"{removed:,}", *(f"{ms:.2f} s · {score:.1f}" for ms, score in TABLE1.values())]
    strings += [*SOURCE_LINES, "hand-built example", *model_row(p)]
    return Expected(numbers, strings)


# ── published figures, written out as ../shared/notes/facts.md gives them ──
# GQA paper, Table 1 (T5-XXL): model → (inference time per sample in s, average score).
TABLE1 = {
    "MHA-Large": (0.37, 46.0),
    "MHA-XXL": (1.51, 47.2),
    "MQA-XXL": (0.24, 46.6),
    "GQA-8-XXL": (0.28, 47.1),
}
ALPHA = "α = 5 %"  # uptraining: 5 % of the original pre-training steps (§3.1)
# Where each published figure on a slide comes from, as the slides cite it.
SOURCE_LINES = (
    "method: Ainslie et al. 2023, §2.2 (Figure 1 draws the MQA case)",
    "Ainslie et al. 2023, §3.1; Figure 5",
    "Ainslie et al. 2023, Table 1, drawn as Figure 3",
)
CITED_IN_TEXT = ("Ainslie et al. 2023, Table 1", "Ainslie et al. 2023, §3.1", "T5-XXL")
# The references slide: each paper's byline, title, venue and arXiv id.
CITATIONS = (
    "Ainslie et al. 2023. GQA: Training Generalized Multi-Query Transformer Models from "
    "Multi-Head Checkpoints. EMNLP 2023. arXiv:2305.13245",
    "Shazeer 2019. Fast Transformer Decoding: One Write-Head is All You Need. arXiv:1911.02150",
    "Vaswani et al. 2017. Attention Is All You Need. NeurIPS 2017. arXiv:1706.03762",
    "Su et al. 2021. RoFormer: Enhanced Transformer with Rotary Position Embedding. "
    "arXiv:2104.09864",
    "Olsson et al. 2022. In-context Learning and Induction Heads. Transformer Circuits Thread. "
    "arXiv:2209.11895",
    "Dubey et al. 2024. The Llama 3 Herd of Models. arXiv:2407.21783",
    "Jiang et al. 2023. Mistral 7B. arXiv:2310.06825",
    "Qwen Team 2024. Qwen2.5 Technical Report. arXiv:2412.15115",
    "Gemma Team 2024. Gemma 2: Improving Open Language Models at a Practical Size. "
    "arXiv:2408.00118",
)
# The conversion's hand-built example (tests/test_attention.py checks it is this size).
EXAMPLE_SIZES = {4, 2, 8, 5}  # heads, head dim, hidden size, tokens
EXAMPLE_GROUPS = {4, 2, 1}  # MHA, GQA-2, MQA


def numbers_in(*texts: str) -> set[float]:
    return {float(n.replace(",", "")) for t in texts for n in NUMBER.findall(t)}


def conversion_errors() -> dict[int, int]:
    """The example's output error per group count, in whole percent, recomputed by the
    loop reference of tests/test_attention.py from the example's weights."""
    errors = _reference_relative_errors(conversion_example())
    return {g: round(100 * float(e)) for g, e in errors.items()}


def model_row(p) -> list[str]:
    """The models table's row: title, query heads, KV heads, group size, cache per token."""
    h, kv = p.n_heads, p.n_kv_heads
    return [p.title, str(h), str(kv), str(h // kv), binary_text(kv_bytes_per_token(p))]


def table_models(name: str) -> list:
    """The table lists the presets, then the talk's model if it is not one of them."""
    models = list(PRESETS.values())
    talk_model = talk_for(name).model
    return models if talk_model in models else [*models, talk_model]


def scene_figures(scene_name: str, name: str) -> set[float]:
    """Figures a section shows beyond the model's own: published ones, the worked example,
    the axes of a plot of published figures, the other models of the table."""
    cited = numbers_in(*SOURCE_LINES, *CITED_IN_TEXT, ALPHA)
    if scene_name == "Conversion":
        return cited | EXAMPLE_SIZES | EXAMPLE_GROUPS | set(conversion_errors().values())
    if scene_name == "Evidence":
        published = numbers_in(*TABLE1) | {v for pair in TABLE1.values() for v in pair}
        ticks = {k / 2 for k in range(5)} | {45.5 + k / 2 for k in range(5)}  # half-units
        models = {float(n) for p in table_models(name) for n in numbers_in(*model_row(p))}
        return cited | published | ticks | models | numbers_in("T5")
    if scene_name == "Closing":
        published = numbers_in(*TABLE1) | {v for pair in TABLE1.values() for v in pair}
        return cited | published | numbers_in(*CITATIONS)
    if scene_name == "KVCalculator":
        return calculator_figures().numbers
    return set()


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
            row.append(binary_text(2 * p.n_layers * heads * p.head_dim * 2 * held(p, p.max_len)))
        row.append(binary_text(2 * params_of(p)))
        numbers |= {float(NUMBER.search(cell)[0]) for cell in row[-4:]}
        strings += row
    return Expected(numbers, strings)


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
    allowed = expected_for(preset).numbers | scene_figures(scene_name, preset)
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


@pytest.mark.parametrize("preset", TALKS)
def test_key_figures_are_shown(preset):
    assert_shown(preset, expected_for(preset).strings)


def test_default_preset_figures_match_the_reference():
    """The spec card's figures, as published in the reference table (facts.md)."""
    assert_shown(
        "demo-1b",
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
    shown = " | ".join(t for _, t in on_screen_text("KVCalculator", "demo-1b"))
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


@pytest.mark.parametrize("preset", ["demo-1b", "llama-3-8b"])
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
    scene = constructed("AttentionWeights", "demo-1b")
    w = np.asarray(scene.example.weights)
    snap = scene.snapshots[-1]
    shown = sorted(i.text for i in snap.items if re.fullmatch(r"\d\.\d\d", i.text))
    expected = sorted(f"{w[i, i - 1]:.2f}" for i in range(1, len(w)))
    assert shown == expected
    # what the label claims: every highlighted cell is the largest weight of its row
    for i in range(1, len(w)):
        assert np.argmax(w[i]) == i - 1


# ── the conversion, the evidence and the closing section ───────────────
def slide_texts(scene_name: str, preset: str, beat: str) -> list[str]:
    """The texts of one slide below the header (section title and counter)."""
    snap = next(s for s in constructed(scene_name, preset).snapshots if s.beat == beat)
    return [i.text for i in snap.items if i.role == "text" and i.bottom < HEADER_BOTTOM]


def test_conversion_errors_are_the_reference_ones_and_say_hand_built():
    errors = conversion_errors()
    assert [errors[g] for g in (4, 2, 1)] == [0, 46, 62]  # what tests/test_attention.py pins
    shown = slide_texts("Conversion", "demo-1b", "conversion_error")
    assert [t for t in shown if t.endswith(" %")] == [f"{errors[g]} %" for g in (4, 2, 1)]
    scene = constructed("Conversion", "demo-1b")
    for snap in scene.snapshots[:2]:  # the example's two slides, on screen and in the notes
        assert "hand-built example" in " ".join(i.text for i in snap.items)
        assert "hand-built example" in snap.notes


@pytest.mark.parametrize("preset", TALKS)
def test_figure3_labels_every_table1_row_with_its_published_values(preset):
    shown = slide_texts("Evidence", preset, "figure3")
    for model, (seconds, score) in TABLE1.items():
        assert model in shown and f"{seconds:.2f} s · {score:.1f}" in shown
    assert "Ainslie et al. 2023, Table 1, drawn as Figure 3" in shown


ROW_TOLERANCE = 0.2  # texts of one row differ in height (descenders), not by a row's pitch


def rows_of(items) -> list[list[str]]:
    """Texts grouped into rows from the top, each row read left to right."""
    rows: list[list] = []
    for item in sorted(items, key=lambda i: -i.top):
        if rows and abs(rows[-1][0].top - item.top) < ROW_TOLERANCE:
            rows[-1].append(item)
        else:
            rows.append([item])
    return [[i.text for i in sorted(r, key=lambda i: i.left)] for r in rows]


@pytest.mark.parametrize("preset", TALKS)
def test_models_table_is_computed_from_each_models_dimensions(preset):
    snap = constructed("Evidence", preset).snapshots[-1]
    titles_bottom = min(i.bottom for i in snap.items if i.text.startswith("computed from"))
    texts = [i for i in snap.items if i.role == "text" and i.top < titles_bottom]
    rows = rows_of(texts)
    header = ["model", "query heads", "KV heads", "group size", "KV cache per token"]
    assert rows == [header, *(model_row(p) for p in table_models(preset))]


def test_the_references_slide_lists_every_citation_in_full():
    shown = " ".join(slide_texts("Closing", "demo-1b", "references"))
    for citation in CITATIONS:
        assert citation in shown
    assert len(shown) == len(" ".join(CITATIONS))  # and nothing else


NOTES_CITE = {
    ("Conversion", "mean_pool"): "Ainslie et al. 2023, §2.2",
    ("Conversion", "uptraining"): "Ainslie et al. 2023, §3.1",
    ("Evidence", "figure3"): "Ainslie et al. 2023, Table 1",
    ("Evidence", "gqa_point"): "Ainslie et al. 2023, Table 1",
    ("Closing", "takeaways"): "Ainslie et al. 2023, Table 1",
}


@pytest.mark.parametrize(("scene_name", "beat"), NOTES_CITE, ids=lambda v: v)
def test_notes_name_the_source_of_published_figures(scene_name, beat):
    snap = next(s for s in constructed(scene_name, "demo-1b").snapshots if s.beat == beat)
    assert NOTES_CITE[scene_name, beat] in snap.notes


BYLINE = ["Ada Lovelace", "Analytical Engine Society", "Attention Summit 2026 · 26 November 2026"]


def test_title_and_closing_slides_show_the_speakers_byline():
    for scene_name, beat in (("Opening", "title"), ("Closing", "thanks")):
        shown = slide_texts(scene_name, SPEAKER_TALK, beat)
        assert shown[-len(BYLINE) :] == BYLINE, scene_name


def test_a_talk_without_a_speaker_shows_no_byline():
    assert slide_texts("Opening", "demo-1b", "title") == [
        "Grouped-Query Attention",
        "How Demo-1B shares keys and values across query heads",
        "24 query heads  ·  4 KV heads  ·  6 query heads per KV head",
        "24 query heads",
        "4 KV heads",
    ]
    assert slide_texts("Closing", "demo-1b", "thanks") == ["Thank you", "Grouped-Query Attention"]


# ── what the capped drawings of big models say (tests/scenes/test_big_models.py) ──────
SUMMARY = re.compile(r"^(… |⋮|all \d)")  # not the bare "…" inside a row


def raw_heads(talk: str) -> tuple[int, int]:
    """Query and KV heads, read from the config.json itself (not through deck's loader)."""
    c = json.loads((CONFIGS / talk / "config.json").read_text())
    return c["num_attention_heads"], c["num_key_value_heads"]


def true_summaries(heads: int, kv: int) -> dict[str, str]:
    """Each capped drawing's summary, by what it draws: MHA's row (a KV head per query
    head), the model's GQA groups, one group of every head (MQA), the KV heads alone (a
    strip of K or V), a cache column of MHA or of GQA (⋮ and the column's heads)."""
    group = heads // kv
    gqa = f"all {heads} heads" if kv == 1 else f"… {kv} groups of {group}"
    return {
        "mha": f"… {heads} heads",
        "gqa": gqa,
        "mqa": f"all {heads} heads",
        "kv": f"… {kv} heads",
        "mha_column": f"⋮ {heads}",
        "gqa_column": f"⋮ {kv}",
    }


# the summaries each capped slide must show, for 64 or more query heads
REQUIRED = {
    ("Opening", "title"): ("gqa",),
    ("Family", "family"): ("mha", "gqa", "mqa"),
    ("Family", "highlight_gqa"): ("mha", "gqa", "mqa"),
    ("DataFlow", "repeat_kv"): ("gqa",),
    ("Decoding", "step_3"): ("mha_column",),
    ("ScaledDotProduct", "qkv_meaning"): ("gqa",),
    ("Conversion", "model_heads"): ("gqa",),
}


@pytest.mark.parametrize("talk", BIG_CONFIGS)
@pytest.mark.parametrize(("scene_name", "beat"), list(REQUIRED), ids=lambda v: v)
def test_capped_drawings_state_the_true_counts(scene_name, beat, talk):
    """Every summary on a big model's slide is a true count from its config.json, and
    each capped drawing shows the ones it must."""
    heads, kv = raw_heads(talk)
    true = true_summaries(heads, kv)
    shown = [t for t in slide_texts(scene_name, talk, beat) if SUMMARY.match(t)]
    for said in shown:
        assert said in true.values(), f"{scene_name}.{beat}: {said!r} is not a true count"
    for key in REQUIRED[(scene_name, beat)]:
        assert true[key] in shown, f"{scene_name}.{beat}: {true[key]!r} missing ({shown})"
