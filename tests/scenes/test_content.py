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
from deck.components.heads import GRID_MAX_ROWS
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

HEADER_BOTTOM = theme.HEADER_BOTTOM  # the section title and counter sit above this
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
        "from_scratch",
        "figure3",
        "gqa_point",
        "tensor_parallel",
        "choosing_groups",
        "models_table",
        "smaller_caches",
        "takeaways",
        "references",
        "more_references",
        "questions",
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


def binary_tenths(n: float) -> float:
    """The number binary_text shows, halves rounded up from the exact fraction (not round(),
    which rounds a float's halves to even: 2.25 MiB is 2.3, as the deck shows it)."""
    return float(binary_text(n).split()[0])


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


def serving_batch(p) -> int:
    """The chart's batch: the first power of two from 2 at which GQA's cache at the full
    context reaches the weights, at most 256."""
    batch = BATCH_LIMITS[0]
    while batch < BATCH_LIMITS[1] and kv_bytes_per_token(p) * held(p, p.max_len) * batch < (
        params_of(p) * BYTES[p.dtype]
    ):
        batch *= 2
    return batch


def cache_at(p, heads: int, tokens: int, batch: int = 1) -> int:
    """K and V of `batch` sequences of `tokens` tokens, each layer keeping its window."""
    windows = p.layer_windows or (None,) * p.n_layers
    kept = sum(tokens if w is None else min(tokens, w) for w in windows)
    return 2 * heads * p.head_dim * BYTES[p.dtype] * kept * batch


@dataclass(frozen=True)
class StepReads:
    """What one decoding step reads at the full context, recomputed from the dimensions."""

    weights: int  # bytes of every weight but the input embedding (a lookup)
    cache: dict[tuple[int, int], int]  # (batch, KV heads) → bytes of the batch's caches
    ratio: dict[int, float]  # batch → MHA's bytes ÷ GQA's

    def strings(self) -> list[str]:
        return [f"{binary_text(self.weights)} + {binary_text(c)}" for c in self.cache.values()] + [
            f"{r:.2f}×" for r in self.ratio.values()
        ]

    def numbers(self) -> set[float]:
        values = [self.weights, *self.cache.values()]
        sizes = {float(binary_text(v).split()[0]) for v in values}
        return sizes | {round(r, 2) for r in self.ratio.values()}


def step_reads(p) -> StepReads:
    table = p.vocab * p.hidden
    read = params_of(p) - (0 if p.tie_embeddings else table)  # the head is read, the lookup not
    weights = read * BYTES[p.dtype]
    h, kv = p.n_heads, p.n_kv_heads
    cache, ratio = {}, {}
    for batch in (1, serving_batch(p)):
        for heads in (h, kv, 1):
            cache[batch, heads] = cache_at(p, heads, p.max_len, batch)
        ratio[batch] = (weights + cache[batch, h]) / (weights + cache[batch, kv])
    return StepReads(weights, cache, ratio)


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
    # the projections' shapes; the hidden size is said once, on x and x′
    strings = [f"{params:,}", f"GQA {h // kv}:1", f"→ {h}×{hd}", f"→ {kv}×{hd}"]
    strings += [f"hidden states, {d}", f"{h}×{hd} →"]
    # the KV cache: per token, at the full context, while decoding, for a batch
    size = BYTES[p.dtype]
    weights = params * size
    per_token = {heads: 2 * L * heads * hd * size for heads in (h, kv, 1)}
    batch = serving_batch(p)
    numbers |= {size, batch, *per_token.values()}
    numbers.add(binary_tenths(weights))
    # a decoding step reads every weight but the input embedding, a lookup (unless tied)
    read = params - (0 if p.tie_embeddings else p.vocab * d)
    numbers |= {read, binary_tenths(read * size)}
    strings += [
        f"{read:,} weights × {size} bytes",
        f"= {binary_text(read * size)}, read for every token",
        f"{h // kv} multiply-adds per" if h > kv else "one multiply-add per",  # the card wraps
        f"weights {binary_text(weights)}",
        f"= {per_token[kv]:,} bytes = {binary_text(per_token[kv])} per token",
        f"A batch of {batch}",
        f"MHA = GQA-{h}",
        f"GQA-{kv}",
        "MQA = GQA-1",
    ]
    for heads in (h, kv, 1):
        for tokens in (1, p.max_len):
            numbers.add(binary_tenths(2 * L * heads * hd * 2 * held(p, tokens)))
            strings.append(binary_text(2 * L * heads * hd * 2 * held(p, tokens)))
        for n in (held(p, p.max_len) * batch, *range(1, DECODING_TOKENS + 1)):
            numbers.add(binary_tenths(per_token[heads] * n))
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
    strings += step_reads(p).strings()
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
# The references slides: each work's byline, title, venue and arXiv id (or repository).
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
    "Touvron et al. 2023. Llama 2: Open Foundation and Fine-Tuned Chat Models. arXiv:2307.09288",
    "DeepSeek-AI 2024. DeepSeek-V2: A Strong, Economical, and Efficient Mixture-of-Experts "
    "Language Model. arXiv:2405.04434",
    "Kwon et al. 2023. Efficient Memory Management for Large Language Model Serving with "
    "PagedAttention. SOSP 2023. arXiv:2309.06180",
    "Liu et al. 2024. KIVI: A Tuning-Free Asymmetric 2bit Quantization for KV Cache. "
    "ICML 2024. arXiv:2402.02750",
    "ViperEkura. AstrAI. GitHub ViperEkura/AstrAI, scripts/tools/benchmark.py",
)
# Choosing G, from scratch, after GQA: the published figures as the slides cite them
# (facts.md, "Checked for the retold talk").
GQA_SHARDING_SOURCE = "Ainslie et al. 2023, §2.2"
FIGURE6 = "from 1 group (MQA) to 8, time per sample grows little; more groups cost more"
LLAMA3_KV_HEADS = 8  # every Llama 3 size (Dubey et al. 2024, Table 3)
LLAMA2_SIZES = "Llama 2 34B and 70B"  # trained with GQA (Touvron et al. 2023, Table 1)
LLAMA2_ABLATION = "at 30B: GQA comparable to MHA on most tasks, above MQA on average"
LLAMA2_FFN = 1.3  # §A.2.1: GQA's FFN widened to keep MHA's parameter count
LLAMA2_SOURCES = "Touvron et al. 2023, Table 1, Table 18, §A.2.1 · Dubey et al. 2024, Table 3"
TP_SOURCES = "Ainslie et al. 2023, §2.2, Figure 6 · Dubey et al. 2024, Table 3 · " + (
    "Touvron et al. 2023, §A.2.1"
)
MISTRAL_WINDOW = 4096  # tokens per layer (Jiang et al. 2023, Table 1)
MLA = (4, 2)  # DeepSeek-V2, Table 1: d_c = 4·d_h, d_h^R = d_h / 2
AFTER_GQA_SOURCES = (
    "DeepSeek-AI 2024, Table 1 · Jiang et al. 2023, Table 1 · Liu et al. 2024, abstract · "
    "Kwon et al. 2023, §4.1"
)
LONG_CONTEXT = 32_768
TP_GPUS = 8  # one node's GPUs, fewer if the heads do not split 8 ways
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


def tp_degree(p) -> int:
    """The most GPUs (a power of two up to 8) splitting the query heads evenly, and MHA's,
    the model's and MQA's KV heads evenly or into equal copies."""
    tp = TP_GPUS
    while p.n_heads % tp or any(kv % tp and tp % kv for kv in (p.n_heads, p.n_kv_heads, 1)):
        tp //= 2
    return tp


def tp_expected(p) -> Expected:
    """The tensor-parallel slides: per GPU, a share of the KV heads or one copied head."""
    tp = tp_degree(p)
    numbers, strings = {tp, LLAMA3_KV_HEADS, *numbers_in(FIGURE6, TP_SOURCES)}, []
    numbers |= set(range(p.n_kv_heads))  # the heads' numbers on the GPUs
    for kv in (p.n_heads, p.n_kv_heads, 1):
        held = kv // tp if kv >= tp else 1
        per_gpu = 2 * p.n_layers * held * p.head_dim * BYTES[p.dtype]
        numbers |= {held, binary_tenths(per_gpu), max(1, tp // kv)}
        strings.append(f"{binary_text(per_gpu)} per GPU" if kv < p.n_heads else "")
    strings += [f"GQA-{p.n_kv_heads}", f"its one KV head copied onto all {tp} GPUs"]
    return Expected(numbers, [s for s in strings if s])


def beyond_expected(p) -> Expected:
    """The KV cache of one long sequence under each design, counted from the dimensions."""
    tokens = max(p.max_len, LONG_CONTEXT)
    L, hd, kv, two = p.n_layers, p.head_dim, p.n_kv_heads, BYTES[p.dtype]
    latent, rope_key = MLA[0] * hd, hd // MLA[1]
    kept = held(p, tokens)  # a model with its own window (Mistral) caches only that
    caches = [
        2 * p.n_heads * hd * two * L * kept,
        2 * kv * hd * two * L * kept,
        2 * hd * two * L * kept,
        (latent + rope_key) * two * L * kept,
        2 * kv * hd * two * L * min(kept, MISTRAL_WINDOW),
        2 * kv * hd * L * kept,  # fp8: a byte per number
        kv * hd * L * kept,  # int4: half a byte
    ]
    numbers = {tokens, p.max_len, MISTRAL_WINDOW, latent, rope_key, kv, p.n_heads, 1, 8, 4}
    numbers |= {binary_tenths(c) for c in caches} | numbers_in(AFTER_GQA_SOURCES, "V2")
    strings = [binary_text(c) for c in caches] + [f"{tokens:,}-token sequence"]
    return Expected(numbers, strings)


def llama2_figures() -> set[float]:
    return numbers_in(LLAMA2_SIZES, LLAMA2_ABLATION, LLAMA2_SOURCES) | {LLAMA2_FFN}


def scene_figures(scene_name: str, name: str) -> set[float]:
    """Figures a section shows beyond the model's own: published ones, the worked example,
    the axes of a plot of published figures, the other models of the table."""
    cited = numbers_in(*SOURCE_LINES, *CITED_IN_TEXT, ALPHA)
    if scene_name == "Conversion":
        example = EXAMPLE_SIZES | EXAMPLE_GROUPS | set(conversion_errors().values())
        return cited | example | llama2_figures() | {LLAMA3_KV_HEADS}
    if scene_name == "BeyondGQA":
        return beyond_expected(talk_for(name).model).numbers
    if scene_name == "Evidence":
        published = numbers_in(*TABLE1) | {v for pair in TABLE1.values() for v in pair}
        ticks = {k / 2 for k in range(5)} | {45.5 + k / 2 for k in range(5)}  # half-units
        models = {float(n) for p in table_models(name) for n in numbers_in(*model_row(p))}
        tp = tp_expected(talk_for(name).model).numbers
        return cited | published | ticks | models | numbers_in("T5") | tp
    if scene_name == "Closing":
        published = numbers_in(*TABLE1) | {v for pair in TABLE1.values() for v in pair}
        tp = tp_expected(talk_for(name).model).numbers
        return cited | published | numbers_in(*CITATIONS) | tp | llama2_figures()
    if scene_name == "KVCalculator":
        return calculator_figures().numbers
    if scene_name == "WhyGQA":
        return step_reads(raw_dims(name)).numbers()
    if scene_name == "Family":
        return one_group_figures(raw_dims(name))
    if scene_name == "Decoding":
        return {
            float(shown_rate(x).replace(",", "")) for x in intensities(raw_dims(name)).values()
        } | {
            10.0**e
            for e in range(-1, 8)  # the log axis's ticks
        }
    return set()


def shown_rate(x: float) -> str:
    """How the prefill-vs-decode slide writes a rate: 2 significant figures below 100."""
    return f"{x:,.0f}" if x >= 100 else f"{x:.2g}"


def intensities(p) -> dict[tuple[str, str], float]:
    """FLOPs per byte of memory traffic, for (situation, variant), recomputed from the
    dimensions: 2 FLOPs per weight read and token, and 4·head_dim per query head and
    visible key (q·k and the weighted sum of v); bytes: the weights read once (all but
    the input embedding), the caches read (decode) or written (prefill)."""
    size, t = BYTES[p.dtype], p.max_len
    read = params_of(p) - (0 if p.tie_embeddings else p.vocab * p.hidden)
    windows = p.layer_windows or (None,) * p.n_layers
    per_key = 4 * p.n_heads * p.head_dim
    seen_now = sum(t if w is None else min(t, w) for w in windows)
    seen_prefill = sum(min(i, w or i) for w in windows for i in range(1, t + 1))
    found = {}
    for name, heads in (("MHA", p.n_heads), ("GQA", p.n_kv_heads)):
        for label, batch in (("decode 1", 1), ("decode batch", serving_batch(p))):
            flops = batch * (2 * read + per_key * seen_now)
            found[label, name] = flops / (read * size + cache_at(p, heads, t, batch))
        flops = 2 * read * t + per_key * seen_prefill
        found["prefill", name] = flops / (read * size + cache_at(p, heads, t))
    return found


READABLE_GRIDS = 4  # the one-group slide draws at most this many query heads' patterns


def one_group_figures(p) -> set[float]:
    """The one-group slide: query heads 0 … of KV head 0's group of h ÷ kv, the last one's
    number, and how many of the group are not drawn."""
    group = p.n_heads // p.n_kv_heads
    drawn = min(group, READABLE_GRIDS)
    return {*range(drawn), group - 1, group - drawn}


def calculator_figures() -> Expected:
    """What the calculator's slide shows of every preset: its name, max length, heads, and
    at that length (one sequence, bfloat16: 2 bytes) the KV cache of MHA, its GQA and MQA
    (K and V, every layer, every KV head) and the weights, in binary units."""
    numbers, strings = set(), []
    for p in PRESETS.values():
        numbers |= {float(n) for n in NUMBER.findall(p.title)}
        numbers |= {p.max_len, p.n_heads, p.n_kv_heads}
        numbers |= {w for w in p.layer_windows if w is not None}  # the footnote's window
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
            "hidden states, 1536",
            "→ 24×64",
            "→ 4×64",
            "24×64 → x′",
            "4 → 24 heads",
            "S slash sqrt(64) = S slash 8",  # typeset by the formula, in its source
        ),
    )


@pytest.mark.parametrize("preset", list(PRESETS))
def test_calculator_slide_shows_every_preset(preset):
    shown = " | ".join(t for _, t in on_screen_text("KVCalculator", preset))
    missing = [s for s in calculator_figures().strings if s not in shown]
    assert not missing, f"not on the calculator's slide for {preset}: {missing}"


def test_what_a_step_reads_matches_the_reference():
    """facts.md: GQA-1B at 2,048 tokens reads 795,403,776 weights (1.48 GiB) and MHA reads
    1.15× GQA's bytes for one sequence, 4.35× at a batch of 64."""
    reads = step_reads(raw_dims("demo-1b"))
    assert reads.weights == 795_403_776 * 2 and serving_batch(raw_dims("demo-1b")) == 64
    assert {b: round(r, 2) for b, r in reads.ratio.items()} == {1: 1.15, 64: 4.35}
    shown = slide_texts("WhyGQA", "demo-1b", "step_reads_batch")
    for figure in ("1.15×", "4.35×", "1.5 GiB + 288 MiB", "1.5 GiB + 3 GiB", "1.5 GiB + 18 GiB"):
        assert figure in shown
    one = slide_texts("WhyGQA", "demo-1b", "step_reads")
    assert "1.15×" in one and "4.35×" not in one  # the batch comes on the next slide


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
            "S slash sqrt(128) approx S slash 11.3",  # typeset by the formula, in its source
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


def test_the_references_slides_list_every_citation_in_full():
    """The citations as written out here; tests/scenes/test_references.py holds the list
    to the works the slides name."""
    shown = " ".join(
        t
        for beat in ("references", "more_references")
        for t in slide_texts("Closing", "demo-1b", beat)[1:]  # after the title
    )
    assert shown == " ".join(CITATIONS)


@pytest.mark.parametrize("preset", TALKS)
def test_new_sections_show_their_figures(preset):
    p = talk_for(preset).model
    evidence = " | ".join(t for _, t in on_screen_text("Evidence", preset))
    beyond = " | ".join(t for _, t in on_screen_text("BeyondGQA", preset))
    conversion = " | ".join(t for _, t in on_screen_text("Conversion", preset))
    missing = [s for s in tp_expected(p).strings if s not in evidence]
    missing += [s for s in beyond_expected(p).strings if s not in beyond]
    missing += [s for s in (LLAMA2_SIZES, LLAMA2_ABLATION, LLAMA2_SOURCES) if s not in conversion]
    assert not missing, missing


def test_tensor_parallel_figures_match_the_reference():
    """GQA-1B's 4 KV heads on 8 GPUs: each head on 2 GPUs, one per GPU as for MQA."""
    shown = " | ".join(slide_texts("Evidence", "demo-1b", "choosing_groups"))
    for figure in ("6 KiB per GPU", "each head copied onto 2 of them", "18 KiB per token"):
        assert figure in shown
    shown = " | ".join(slide_texts("Evidence", "llama-3-8b", "tensor_parallel"))
    assert "16 KiB per GPU" in shown and "8 KV heads, 1 per GPU: no GPU holds a copy" in shown


def test_after_gqa_figures_match_the_reference():
    """facts.md's 32,768-token column; MLA as GQA with 2.25 KV heads; a window of 4,096."""
    shown = " | ".join(slide_texts("BeyondGQA", "demo-1b", "smaller_caches"))
    for figure in ("4.5 GiB", "768 MiB", "192 MiB", "432 MiB", "96 MiB", "384 MiB"):
        assert figure in shown
    assert "256 + 32 per layer" in shown and "32,768-token sequence" in shown


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
    for scene_name, beat in (("Opening", "title"), ("Closing", "questions")):
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
    assert slide_texts("Closing", "demo-1b", "questions") == [
        "Questions?",
        "Grouped-Query Attention",
    ]


# The slides added for choosing G, training from scratch, after GQA and the closing: their
# notes share a budget of 250 words (about two minutes), whatever the talk's model.
RETOLD_BEATS = {
    "Evidence": ("tensor_parallel", "choosing_groups"),
    "Conversion": ("from_scratch",),
    "BeyondGQA": ("smaller_caches",),
    "Closing": ("takeaways", "references", "more_references", "questions"),
}
RETOLD_WORDS = 250


@pytest.mark.parametrize("preset", TALKS)
def test_the_retold_slides_notes_keep_to_their_word_budget(preset):
    from deck.scenes import BY_NAME

    model = talk_for(preset).model
    words = sum(
        len(BY_NAME[scene].notes_for(beat, model).split())
        for scene, beats in RETOLD_BEATS.items()
        for beat in beats
    )
    assert words <= RETOLD_WORDS


def independent_softmax(queries: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """Causal softmax(q·k/√d) of every head, one row at a time, by the textbook formula."""
    heads, n, d = queries.shape
    out = np.zeros((heads, n, n))
    for h in range(heads):
        for i in range(n):
            logits = np.array([queries[h, i] @ keys[j] / math.sqrt(d) for j in range(i + 1)])
            e = np.exp(logits - logits.max())
            out[h, i, : i + 1] = e / e.sum()
    return out


@pytest.mark.parametrize("preset", TALKS)
def test_the_one_group_slide_draws_the_softmax_of_one_shared_key_head(preset):
    from deck.components.heatmap import heat_color
    from deck.content.attention import GROUP_PATTERNS, group_example

    scene = constructed("Family", preset)
    picture = scene.group_picture
    group = raw_dims(preset).n_heads // raw_dims(preset).n_kv_heads
    drawn = min(group, READABLE_GRIDS)
    example = group_example(patterns=GROUP_PATTERNS[:drawn])
    assert picture_patterns(scene) == [p.replace(" ", "") for p in GROUP_PATTERNS[:drawn]]
    expected = independent_softmax(np.asarray(example.queries), np.asarray(example.keys))
    np.testing.assert_allclose(picture.weights, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(picture.weights.sum(axis=-1), 1.0)
    assert len(picture.grids) == drawn
    n = len(example.tokens)
    with theme.use("dark"):
        for h, grid in enumerate(picture.grids):
            for cell, (i, j) in zip(grid, np.ndindex(n, n), strict=True):
                assert cell.get_fill_color().to_hex() == heat_color(expected[h, i, j]).to_hex()
                assert cell.width * 1080 / 8 >= 12  # px at 1080p
    shown = slide_texts("Family", preset, "one_group")
    assert "hand-built" in " ".join(shown) and "hand-built example" in scene.snapshots[-1].notes
    assert [t for t in shown if t.startswith("query head ")] == [
        f"query head {h}" for h in range(drawn)
    ]
    if group > drawn:
        assert f"+ {group - drawn} more" in shown


def picture_patterns(scene) -> list[str]:
    """The patterns the slide names under its grids, in order (manim's text drops spaces)."""
    return [label.text for label in scene.group_picture.pattern_labels]


@pytest.mark.parametrize("preset", TALKS)
def test_prefill_vs_decode_shows_each_rate_beside_its_bar(preset):
    rates = intensities(raw_dims(preset))
    rows = rows_of(
        [i for i in snapshot("Decoding", preset, "prefill_vs_decode").items if i.role == "text"]
    )
    bars = [r[k : k + 2] for r in rows for k, t in enumerate(r) if t in ("MHA", "GQA")]
    want = [
        [name, shown_rate(rates[situation, name])]
        for situation in ("decode 1", "decode batch", "prefill")
        for name in ("MHA", "GQA")
    ]
    assert bars == want
    # decode does a few FLOPs per byte; a prefill of the context, at least one per prompt token
    assert rates["decode 1", "GQA"] < 10 < raw_dims(preset).max_len < rates["prefill", "GQA"]


def test_prefill_vs_decode_of_the_deck_model():
    """MHA's decoding step in bfloat16 does exactly one FLOP per byte it reads: a
    multiply-add per 2-byte weight and per 2-byte cached number."""
    rates = intensities(raw_dims("demo-1b"))
    assert rates["decode 1", "MHA"] == pytest.approx(1.0)
    assert round(rates["decode 1", "GQA"], 2) == 1.15
    assert round(rates["decode batch", "GQA"] / rates["decode batch", "MHA"], 1) == 4.3


def snapshot(scene_name: str, preset: str, beat: str):
    return next(s for s in constructed(scene_name, preset).snapshots if s.beat == beat)


# ── what the capped drawings of big models say (tests/scenes/test_big_models.py) ──────
SUMMARY = re.compile(r"^(… |⋮|all \d)")  # not the bare "…" inside a row


def raw_heads(talk: str) -> tuple[int, int]:
    """Query and KV heads, read from the config.json itself (not through deck's loader)."""
    c = json.loads((CONFIGS / talk / "config.json").read_text())
    return c["num_attention_heads"], c["num_key_value_heads"]


def true_summaries(heads: int, kv: int) -> dict[str, str]:
    """Each capped drawing's summary, by what it draws: MHA's row (a KV head per query
    head), the model's GQA groups, one group of every head (MQA), the KV heads alone (a
    strip of K or V). (The decoding caches' cells: tests/scenes/test_kv_cache_pictures.py.)"""
    group = heads // kv
    gqa = f"all {heads} heads" if kv == 1 else f"… {kv} groups of {group}"
    return {
        "mha": f"… {heads} heads",
        "gqa": gqa,
        "mqa": f"all {heads} heads",
        "kv": f"… {kv} heads",
        # a grid of a row per group, capped past 8 rows: the first rows and a line
        "grid": f"⋮ {kv} groups of {group}",
        "grid_kv": f"⋮ {kv} heads",
    }


# the summaries each capped slide must show, for 64 or more query heads
REQUIRED = {
    ("Opening", "title"): ("gqa",),
    ("Family", "family"): ("mha", "gqa", "mqa"),
    ("Family", "highlight_gqa"): ("mha", "gqa", "mqa"),
    ("DataFlow", "repeat_kv"): ("gqa",),
    ("ScaledDotProduct", "qkv_meaning"): ("grid", "grid_kv"),
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
    capped_rows = {"grid", "grid_kv"}  # only a model with more KV groups than rows
    for key in REQUIRED[(scene_name, beat)]:
        if key in capped_rows and kv <= GRID_MAX_ROWS:
            continue
        assert true[key] in shown, f"{scene_name}.{beat}: {true[key]!r} missing ({shown})"
