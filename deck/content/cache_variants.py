"""What comes after GQA, computed for a talk's model: the KV cache of one long sequence
with multi-head latent attention, a sliding window, and a quantised cache, beside MHA,
the model's GQA and MQA. A paged cache (vLLM) stores the same bytes in blocks.

Every figure is the model's own shape with a published design applied to it: MLA with
DeepSeek-V2's proportions (d_c = 4·d_h, d_h^R = d_h/2: Table 1), Mistral 7B's window
(4,096 tokens per layer), a cache stored in 8 or 4 bits per number.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from deck.content.model import Model
from deck.content.sources import DEEPSEEK_V2_MLA, MISTRAL_WINDOW

LONG_CONTEXT = 32_768  # a long context: the comparison is at least this many tokens
BITS_PER_BYTE = 8
FP8_BITS = 8
INT4_BITS = 4  # the values alone: the scales a quantised cache also keeps are left out


@dataclass(frozen=True)
class CacheVariant:
    kind: str  # "MHA", "GQA", "MQA", "MLA", "window", "fp8", "int4"
    name: str  # as the chart labels it
    note: str  # what was computed
    bytes: int


def comparison_tokens(m: Model) -> int:
    """The context the variants are compared at: the model's, or a long one if longer."""
    return max(m.max_len, LONG_CONTEXT)


def mla_dims(m: Model) -> tuple[int, int]:
    """(d_c, d_h^R) for the model's head dimension, in DeepSeek-V2's proportions."""
    mla = DEEPSEEK_V2_MLA
    return m.head_dim * mla.latent // mla.head_dim, m.head_dim * mla.rope_key // mla.head_dim


def mla_cache_bytes(m: Model, tokens: int) -> int:
    """MLA's cache: d_c + d_h^R numbers per token and layer, in the model's dtype (a
    sliding window, if the model has one, would apply as to K and V)."""
    latent, rope_key = mla_dims(m)
    return (latent + rope_key) * m.dtype_bytes * m.cached_tokens(tokens)


def deepseek_v2_cache_numbers() -> int:
    """DeepSeek-V2's own cache per token: (d_c + d_h^R) numbers in each of its layers."""
    mla = DEEPSEEK_V2_MLA
    return (mla.latent + mla.rope_key) * mla.layers


def windowed(m: Model, window: int) -> Model:
    """The model with every layer's cache kept to its last `window` tokens."""
    return dataclasses.replace(m, layer_windows=(window,) * m.n_layers)


def numbers_cached(m: Model, tokens: int) -> int:
    """The GQA cache's count of numbers (K and V, every layer and KV head)."""
    return m.kv_cache_bytes(tokens, dtype="float8")  # one byte per number: a count


def cache_variants(m: Model, tokens: int) -> list[CacheVariant]:
    """The KV cache of one sequence of `tokens` tokens under each design, largest first
    for the family, then what comes after GQA."""
    window = int(MISTRAL_WINDOW.value)
    latent, rope_key = mla_dims(m)
    gqa = f"GQA-{m.n_kv_heads}"
    return [
        CacheVariant("MHA", "MHA", f"{m.n_heads} KV heads", m.kv_cache_bytes(tokens, m.n_heads)),
        CacheVariant("GQA", gqa, f"{m.title}: {m.n_kv_heads} KV heads", m.kv_cache_bytes(tokens)),
        CacheVariant("MQA", "MQA", "1 KV head", m.kv_cache_bytes(tokens, 1)),
        CacheVariant(
            "MLA",
            "MLA",
            f"DeepSeek-V2's latent + RoPE key: {latent} + {rope_key} per layer",
            mla_cache_bytes(m, tokens),
        ),
        CacheVariant(
            "window",
            f"{gqa} + window",
            f"Mistral's: the last {window:,} tokens per layer",
            windowed(m, window).kv_cache_bytes(tokens),
        ),
        CacheVariant(
            "fp8",
            f"{gqa} in fp8",
            "1 byte per number",
            numbers_cached(m, tokens) * FP8_BITS // BITS_PER_BYTE,
        ),
        CacheVariant(
            "int4",
            f"{gqa} in int4",
            "½ byte per number, scales left out",
            numbers_cached(m, tokens) * INT4_BITS // BITS_PER_BYTE,
        ),
    ]
