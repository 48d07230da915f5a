"""deck.model against the reference figures (written out as literals) and independent counts."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from deck.model import DEFAULT_PRESET, PRESETS, Model, get_preset

MiB, GiB = 2**20, 2**30

# preset → (parameters, KV-cache bytes per token); llama-3-8b and mistral-7b are the
# published totals of Meta-Llama-3-8B and Mistral-7B-v0.1.
REFERENCE = {
    "gqa-1b": (949_003_776, 24_576),
    "astrai-1b": (1_203_807_744, 24_576),
    "llama-3-8b": (8_030_261_248, 131_072),
    "mistral-7b": (7_241_732_096, 131_072),
}


def counted_params(m: Model, n_kv_heads: int | None = None) -> int:
    """Lay out every weight tensor's shape and add up their sizes (no memory is touched)."""
    kv = m.n_kv_heads if n_kv_heads is None else n_kv_heads
    layer = [
        (m.hidden, m.n_heads * m.head_dim),  # q_proj
        (m.hidden, kv * m.head_dim),  # k_proj
        (m.hidden, kv * m.head_dim),  # v_proj
        (m.n_heads * m.head_dim, m.hidden),  # o_proj
        (m.hidden, m.ffn),  # gate
        (m.hidden, m.ffn),  # up
        (m.ffn, m.hidden),  # down
        (m.hidden,),  # RMSNorm before attention
        (m.hidden,),  # RMSNorm before the FFN
    ]
    model = [(m.vocab, m.hidden)] * (1 if m.tie_embeddings else 2) + [(m.hidden,)]
    return m.n_layers * sum(_size(s) for s in layer) + sum(_size(s) for s in model)


def _size(shape: tuple[int, ...]) -> int:
    return np.broadcast_to(np.int8(0), shape).size


# ── parameter counts ────────────────────────────────────────────────────
@pytest.mark.parametrize("name", list(REFERENCE))
def test_preset_parameter_counts(name):
    m = get_preset(name)
    assert m.params() == REFERENCE[name][0]
    assert counted_params(m) == REFERENCE[name][0]


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_matches_an_independent_count(name):
    m = get_preset(name)
    for tie in (False, True):
        variant = dataclasses.replace(m, tie_embeddings=tie)
        assert variant.params() == counted_params(variant)
    for kv in (1, m.n_kv_heads, m.n_heads):
        assert m.params(n_kv_heads=kv) == counted_params(m, kv)
        assert m.with_kv_heads(kv).params() == counted_params(m, kv)


def test_tied_embedding_variants():
    assert dataclasses.replace(get_preset("gqa-1b"), tie_embeddings=True).params() == 795_403_776
    assert (
        dataclasses.replace(get_preset("astrai-1b"), tie_embeddings=True).params() == 1_050_207_744
    )


def test_layers_alone_and_the_mha_variant():
    m = get_preset("gqa-1b")
    assert m.layer_params() == 26_741_760
    assert m.n_layers * m.layer_params() == 641_802_240
    assert m.params() - m.embedding_params - m.n_layers * m.layer_params() == 1_536  # final norm
    assert m.params(n_kv_heads=24) - m.params() == 94_371_840
    assert m.with_kv_heads(24).params() - m.params() == 94_371_840


def test_default_preset_is_the_promo_spec_card():
    m = get_preset(DEFAULT_PRESET)
    assert DEFAULT_PRESET == "gqa-1b"
    spec = (m.n_layers, m.hidden, m.n_heads, m.n_kv_heads, m.head_dim, m.ffn, m.max_len)
    assert spec == (24, 1536, 24, 4, 64, 4608, 2048)
    assert (m.vocab, m.tie_embeddings, m.dtype) == (100_000, False, "bfloat16")


# ── KV cache ────────────────────────────────────────────────────────────
@pytest.mark.parametrize("name", list(REFERENCE))
def test_kv_cache_bytes_per_token(name):
    m = get_preset(name)
    assert m.kv_cache_bytes() == REFERENCE[name][1]
    # K and V, every layer, every stored head, 2 bytes per bfloat16 value.
    stored = np.broadcast_to(np.int8(0), (2, m.n_layers, m.n_kv_heads, m.head_dim)).size
    assert m.kv_cache_bytes() == stored * 2


def test_kv_cache_figures_for_the_deck_model():
    m = get_preset("gqa-1b")
    assert (m.kv_cache_bytes(1, 24), m.kv_cache_bytes(1), m.kv_cache_bytes(1, 1)) == (
        147_456,
        24_576,
        6_144,
    )
    assert m.kv_cache_bytes(2048) == 48 * MiB
    assert m.kv_cache_bytes(2048, n_kv_heads=24) == 288 * MiB
    assert m.kv_cache_bytes(2048, n_kv_heads=1) == 12 * MiB
    assert m.kv_cache_bytes(32_768) == 768 * MiB
    assert m.kv_cache_bytes(32_768, n_kv_heads=24) == 4.5 * GiB
    assert m.kv_cache_bytes(32_768, n_kv_heads=1) == 192 * MiB
    assert m.with_kv_heads(24).kv_cache_bytes(2048) == 288 * MiB
    assert m.kv_cache_saving == pytest.approx(0.833, abs=5e-4)
    assert m.with_kv_heads(1).kv_cache_saving == pytest.approx(0.958, abs=5e-4)


# ── head grouping ───────────────────────────────────────────────────────
def test_group_size_and_kv_head_of():
    m = get_preset("gqa-1b")
    assert m.group_size == 6
    assert [m.kv_head_of(h) for h in range(24)] == [0] * 6 + [1] * 6 + [2] * 6 + [3] * 6
    llama = get_preset("llama-3-8b")
    assert llama.group_size == 4
    assert [llama.kv_head_of(h) for h in (0, 3, 4, 31)] == [0, 0, 1, 7]
    assert (m.with_kv_heads(24).group_size, m.with_kv_heads(1).group_size) == (1, 24)


# ── validation ──────────────────────────────────────────────────────────
@pytest.mark.parametrize(
    ("changes", "pattern"),
    [
        ({"n_kv_heads": 5}, r"n_heads=24.*n_kv_heads=5"),
        ({"head_dim": 32}, r"24 × 32.*hidden=1536"),
        ({"n_layers": 0}, r"n_layers=0"),
        ({"ffn": -1}, r"ffn=-1"),
        ({"n_kv_heads": 0}, r"n_kv_heads=0"),
        ({"hidden": 1512, "head_dim": 63}, r"head_dim.*63"),
        ({"dtype": "int3"}, r"int3"),
    ],
)
def test_inconsistent_presets_raise_value_errors_naming_the_dimensions(changes, pattern):
    with pytest.raises(ValueError, match=pattern):
        dataclasses.replace(get_preset("gqa-1b"), **changes)


def test_with_kv_heads_rejects_a_count_that_does_not_divide_the_heads():
    with pytest.raises(ValueError, match=r"n_heads=24.*n_kv_heads=5"):
        get_preset("gqa-1b").with_kv_heads(5)


def test_unknown_preset_lists_the_valid_choices():
    with pytest.raises(KeyError) as info:
        get_preset("gpt-5")
    message = str(info.value)
    assert "gpt-5" in message
    for name in ("gqa-1b", "astrai-1b", "llama-3-8b", "mistral-7b", *PRESETS):
        assert name in message
