"""deck.content.cache_variants against caches counted here from the models' raw dimensions."""

from __future__ import annotations

import pytest

from deck.content.cache_variants import (
    cache_variants,
    comparison_tokens,
    deepseek_v2_cache_numbers,
    mla_dims,
)
from deck.content.model import PRESETS

KiB, MiB, GiB = 2**10, 2**20, 2**30


def reference(m, tokens: int) -> dict[str, int]:
    """Numbers stored per token and layer, times the bytes each takes, times the tokens a
    layer keeps: K and V per KV head; MLA's latent (4·d_h) and RoPE key (d_h/2)."""
    L, hd, two = m.n_layers, m.head_dim, 2  # bfloat16: 2 bytes
    kept = min(tokens, 4096)
    return {
        "MHA": 2 * m.n_heads * hd * two * L * tokens,
        "GQA": 2 * m.n_kv_heads * hd * two * L * tokens,
        "MQA": 2 * 1 * hd * two * L * tokens,
        "MLA": (4 * hd + hd // 2) * two * L * tokens,
        "window": 2 * m.n_kv_heads * hd * two * L * kept,
        "fp8": 2 * m.n_kv_heads * hd * 1 * L * tokens,
        "int4": 2 * m.n_kv_heads * hd * L * tokens // 2,
    }


@pytest.mark.parametrize("name", ["demo-1b", "llama-3-8b", "astrai-1b"])
def test_every_variant_is_the_count_of_its_numbers(name):
    m = PRESETS[name]
    tokens = comparison_tokens(m)
    got = {v.kind: v.bytes for v in cache_variants(m, tokens)}
    assert got == reference(m, tokens)


def test_the_default_models_figures_at_32k_tokens():
    m = PRESETS["demo-1b"]
    assert comparison_tokens(m) == 32_768  # longer than its own 2,048
    got = {v.kind: v.bytes for v in cache_variants(m, 32_768)}
    assert got == {
        "MHA": 4.5 * GiB,  # facts.md: the 32,768-token column
        "GQA": 768 * MiB,
        "MQA": 192 * MiB,
        "MLA": 432 * MiB,  # 288 numbers per token and layer: GQA with 2.25 KV heads
        "window": 96 * MiB,  # 4,096 of the 32,768 tokens: an eighth
        "fp8": 384 * MiB,
        "int4": 192 * MiB,
    }
    assert mla_dims(m) == (256, 32)


def test_mla_is_gqa_with_two_and_a_quarter_groups_and_deepseek_v2_as_published():
    for m in PRESETS.values():
        latent, rope_key = mla_dims(m)
        assert (latent + rope_key) * 4 == 2 * 9 * m.head_dim  # 2.25 groups of K and V
    # DeepSeek-V2 itself: (512 + 64) numbers in each of its 60 layers
    assert deepseek_v2_cache_numbers() == 576 * 60 == 34_560
