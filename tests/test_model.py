"""deck.content.model against the reference figures (written out as literals) and
independent counts."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from deck.content.model import DEFAULT_PRESET, PRESETS, Model, get_preset

MiB, GiB = 2**20, 2**30

# preset → (parameters, KV-cache bytes per token); llama-3-8b and mistral-7b are the
# published totals of Meta-Llama-3-8B and Mistral-7B-v0.1.
REFERENCE = {
    "demo-1b": (949_003_776, 24_576),
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
    ]
    layer += [(m.hidden,)] * m.norms_per_layer  # RMSNorms around attention and the FFN
    if m.qkv_bias:
        layer += [(m.n_heads * m.head_dim,), (kv * m.head_dim,), (kv * m.head_dim,)]
    if m.o_bias:
        layer += [(m.hidden,)]
    if m.mlp_bias:
        layer += [(m.ffn,), (m.ffn,), (m.hidden,)]
    if m.qk_norm:
        layer += [(m.head_dim,), (m.head_dim,)]
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
    assert dataclasses.replace(get_preset("demo-1b"), tie_embeddings=True).params() == 795_403_776
    assert (
        dataclasses.replace(get_preset("astrai-1b"), tie_embeddings=True).params() == 1_050_207_744
    )


def test_layers_alone_and_the_mha_variant():
    m = get_preset("demo-1b")
    assert m.layer_params() == 26_741_760
    assert m.n_layers * m.layer_params() == 641_802_240
    assert m.params() - m.embedding_params - m.n_layers * m.layer_params() == 1_536  # final norm
    assert m.params(n_kv_heads=24) - m.params() == 94_371_840
    assert m.with_kv_heads(24).params() - m.params() == 94_371_840


def test_default_preset_is_the_promo_spec_card():
    m = get_preset(DEFAULT_PRESET)
    assert DEFAULT_PRESET == "demo-1b"
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
    m = get_preset("demo-1b")
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
    m = get_preset("demo-1b")
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
        ({"layer_windows": (4096,) * 23}, r"23 entries.*n_layers=24"),
        ({"layer_windows": (0,) * 24}, r"windows must be positive"),
        ({"norms_per_layer": 0}, r"norms_per_layer=0"),
        ({"n_layers": 0}, r"n_layers=0"),
        ({"ffn": -1}, r"ffn=-1"),
        ({"n_kv_heads": 0}, r"n_kv_heads=0"),
        ({"hidden": 1512, "head_dim": 63}, r"head_dim.*63"),
        ({"dtype": "int3"}, r"int3"),
    ],
)
def test_inconsistent_presets_raise_value_errors_naming_the_dimensions(changes, pattern):
    with pytest.raises(ValueError, match=pattern):
        dataclasses.replace(get_preset("demo-1b"), **changes)


def test_with_kv_heads_rejects_a_count_that_does_not_divide_the_heads():
    with pytest.raises(ValueError, match=r"n_heads=24.*n_kv_heads=5"):
        get_preset("demo-1b").with_kv_heads(5)


def test_unknown_preset_lists_the_valid_choices():
    with pytest.raises(KeyError) as info:
        get_preset("gpt-5")
    message = str(info.value)
    assert "gpt-5" in message
    for name in ("demo-1b", "astrai-1b", "llama-3-8b", "mistral-7b", *PRESETS):
        assert name in message


# ── shapes real configs need ────────────────────────────────────────────
def test_head_dim_need_not_divide_hidden():
    # Qwen3-4B's attention: 32 query heads × 128 over a hidden size of 2560.
    m = dataclasses.replace(
        get_preset("demo-1b"), hidden=2560, n_heads=32, n_kv_heads=8, head_dim=128
    )
    assert (m.q_out, m.kv_out, m.group_size) == (4096, 1024, 4)
    assert m.attention_weights() == 2560 * 4096 * 2 + 2560 * 1024 * 2
    assert m.params() == counted_params(m)


@pytest.mark.parametrize(
    "changes",
    [
        {"qkv_bias": True},
        {"qkv_bias": True, "o_bias": True},
        {"mlp_bias": True},
        {"qk_norm": True},
        {"norms_per_layer": 4},
        {"qkv_bias": True, "o_bias": True, "mlp_bias": True, "qk_norm": True, "head_dim": 96},
    ],
)
def test_optional_parts_match_an_independent_count(changes):
    m = dataclasses.replace(get_preset("demo-1b"), **changes)
    for kv in (1, 4, 24):
        assert m.params(n_kv_heads=kv) == counted_params(m, kv)
        assert m.with_kv_heads(kv).params() == counted_params(m, kv)


@pytest.mark.parametrize("name", list(PRESETS))
def test_breakdown_adds_up_to_the_total(name):
    m = get_preset(name)
    parts = m.param_breakdown()
    assert list(parts) == ["embeddings", "attention", "FFN", "norms"]  # presets have no biases
    assert sum(parts.values()) == m.params() == REFERENCE.get(name, (m.params(),))[0]
    assert parts["norms"] == (2 * m.n_layers + 1) * m.hidden


def test_breakdown_of_the_deck_model_by_hand():
    parts = get_preset("demo-1b").param_breakdown()
    assert parts == {
        "embeddings": 2 * 100_000 * 1536,
        "attention": 24 * (2 * 1536 * 1536 + 2 * 1536 * 256),
        "FFN": 24 * 3 * 1536 * 4608,
        "norms": 49 * 1536,
    }
    biased = dataclasses.replace(get_preset("demo-1b"), qkv_bias=True, mlp_bias=True, qk_norm=True)
    extra = biased.param_breakdown()
    assert extra["attention biases"] == 24 * (1536 + 2 * 256)
    assert extra["FFN biases"] == 24 * (2 * 4608 + 1536)
    assert extra["q/k norms"] == 24 * 2 * 64
    assert sum(extra.values()) == biased.params() == counted_params(biased)


# ── sliding windows, batch, dtype ───────────────────────────────────────
def test_sliding_window_caps_the_tokens_each_layer_keeps():
    m = dataclasses.replace(get_preset("demo-1b"), layer_windows=(512,) * 24)
    per_token = 24_576
    assert m.kv_cache_bytes(1) == per_token
    assert m.kv_cache_bytes(512) == 512 * per_token
    assert m.kv_cache_bytes(2048) == 512 * per_token  # a rolling cache: the window, not 2048
    assert (m.sliding_window, m.sliding_layers) == (512, 24)
    assert get_preset("demo-1b").sliding_window is None


def test_alternating_windows_are_counted_layer_by_layer():
    windows = tuple(512 if i % 2 == 0 else None for i in range(24))
    m = dataclasses.replace(get_preset("demo-1b"), layer_windows=windows)
    per_layer_token = 2 * 4 * 64 * 2
    assert m.kv_cache_bytes(2048) == per_layer_token * (12 * 512 + 12 * 2048)
    assert m.kv_cache_bytes(100) == per_layer_token * 24 * 100
    assert (m.sliding_window, m.sliding_layers) == (512, 12)


def test_batch_and_cache_dtype():
    m = get_preset("demo-1b")
    assert m.kv_cache_bytes(2048, batch=8) == 8 * 48 * MiB
    assert m.kv_cache_bytes(2048, dtype="float8") == 24 * MiB
    assert m.kv_cache_bytes(2048, dtype="float32") == 96 * MiB
    with pytest.raises(ValueError, match="int4"):
        m.kv_cache_bytes(1, dtype="int4")


def test_weight_bytes():
    m = get_preset("llama-3-8b")
    assert m.weight_bytes() == 8_030_261_248 * 2
    assert m.weight_bytes("float32") == 8_030_261_248 * 4
    assert m.weight_bytes("float8") == 8_030_261_248


def test_context_at_which_the_kv_cache_reaches_the_weights():
    m = get_preset("astrai-1b")  # 1,203,807,744 parameters, 32,768 positions
    weights = 1_203_807_744 * 2
    mha = 147_456  # bytes per token with 24 KV heads
    first = -(-weights // mha)  # ceil
    assert m.kv_reaches_weights_at(24) == first == 16_328
    assert m.kv_cache_bytes(first - 1, 24) < weights <= m.kv_cache_bytes(first, 24)
    assert m.kv_reaches_weights_at() is None  # 4 KV heads: 768 MiB at 32,768 tokens
    assert m.kv_reaches_weights_at(batch=4) == -(-weights // (4 * 24_576))
    windowed = dataclasses.replace(m, layer_windows=(4096,) * 24)
    assert windowed.kv_reaches_weights_at(24) is None  # the window caps the cache at 576 MiB


# ── tensor parallelism: each GPU caches its share of the KV heads ──────
def per_gpu_reference(layers: int, kv_heads: int, head_dim: int, gpus: int) -> int:
    """Deal the KV heads onto the GPUs one by one (a head goes to every GPU when there are
    fewer heads than GPUs) and count one GPU's K and V bytes per token in bfloat16."""
    held = [set() for _ in range(gpus)]
    for gpu in range(gpus):
        if kv_heads >= gpus:
            held[gpu] = set(range(gpu * kv_heads // gpus, (gpu + 1) * kv_heads // gpus))
        else:
            held[gpu] = {gpu * kv_heads // gpus}
    assert set().union(*held) == set(range(kv_heads))  # every head is somewhere
    return max(len(h) for h in held) * 2 * layers * head_dim * 2


@pytest.mark.parametrize("name", list(PRESETS))
def test_kv_cache_per_gpu_at_tensor_parallel_8(name):
    m = PRESETS[name]
    assert m.tensor_parallel_degree(8) == 8
    for kv in (m.n_heads, m.n_kv_heads, 1):
        assert m.kv_cache_bytes_per_gpu(8, 1, kv) == per_gpu_reference(
            m.n_layers, kv, m.head_dim, 8
        )
    # MQA's one head is on every GPU: no GPU holds less than one head's cache
    assert m.kv_cache_bytes_per_gpu(8, 1, 1) == m.kv_cache_bytes(1, 1)
    assert m.gpus_per_kv_head(8, 1) == 8


def test_tensor_parallel_figures_of_the_default_and_llama():
    gqa_1b, llama = PRESETS["demo-1b"], PRESETS["llama-3-8b"]
    # GQA-1B: 4 KV heads on 8 GPUs, each head on 2 of them: 1 head, 6 KiB per GPU, as MQA
    assert gqa_1b.kv_heads_per_gpu(8) == 1 and gqa_1b.gpus_per_kv_head(8) == 2
    assert gqa_1b.kv_cache_bytes_per_gpu(8) == 6 * 1024 == gqa_1b.kv_cache_bytes_per_gpu(8, 1, 1)
    assert gqa_1b.kv_cache_bytes_per_gpu(8, 1, 24) == 18 * 1024  # MHA: 3 heads per GPU
    # Llama 3 8B: 8 KV heads, one per GPU: 16 KiB, no copies
    assert llama.kv_heads_per_gpu(8) == 1 and llama.gpus_per_kv_head(8) == 1
    assert llama.kv_cache_bytes_per_gpu(8) == 16 * 1024
    assert llama.kv_cache_bytes_per_gpu(8, 1, 32) == 64 * 1024


def test_tensor_parallel_degree_is_what_the_heads_allow():
    m = PRESETS["demo-1b"]
    odd = dataclasses.replace(m, n_heads=28, n_kv_heads=4)  # Qwen2.5-7B's 28/4 heads
    assert odd.tensor_parallel_degree(8) == 4  # 28 heads do not split 8 ways
    assert not odd.fits_tensor_parallel(8)
    with pytest.raises(ValueError, match="cannot split"):
        odd.kv_heads_per_gpu(8)
    six = dataclasses.replace(m, n_heads=24, n_kv_heads=6)
    assert not six.fits_tensor_parallel(4)  # 6 KV heads neither split 4 ways nor copy evenly


# ── what a decoding step reads and computes ─────────────────────────────
def tensors_read_per_step(m: Model) -> int:
    """The weight tensors a step multiplies with, laid out by shape: every layer and the
    final norm, the output head; the input embedding only when it is the (tied) head."""
    head = [(m.vocab, m.hidden)]
    without_tables = counted_params(m) - (1 if m.tie_embeddings else 2) * m.vocab * m.hidden
    return without_tables + sum(_size(s) for s in head)


@pytest.mark.parametrize("name", list(PRESETS))
def test_a_step_reads_every_weight_but_the_input_embedding(name):
    m = get_preset(name)
    assert m.weights_read_per_step == tensors_read_per_step(m)
    tied = dataclasses.replace(m, tie_embeddings=True)
    assert tied.weights_read_per_step == tied.n_params  # the one table is the output head


def test_the_reads_per_step_of_the_deck_model_match_the_reference():
    """facts.md, "What a decode step reads" and "The gain grows with batch × context"."""
    m = get_preset("demo-1b")
    assert m.weights_read_per_step == 949_003_776 - 100_000 * 1536 == 795_403_776
    assert round(m.weights_read_per_step * 2 / GiB, 2) == 1.48
    weights = 795_403_776 * 2
    for batch, ratio in ((1, 1.15), (64, 4.35)):
        mha, gqa = (m.bytes_read_per_step(batch, 2048, kv) for kv in (24, 4))
        assert gqa == weights + batch * 2048 * 24_576
        assert mha == weights + batch * 2048 * 147_456
        assert round(mha / gqa, 2) == ratio
    assert m.bytes_read_per_step() == m.bytes_read_per_step(1, m.max_len)
    with pytest.raises(ValueError, match="batch"):
        m.bytes_read_per_step(0)


def loop_flops(m: Model, query_tokens: range, kv_heads: int) -> tuple[int, int]:
    """FLOPs and cached K/V numbers read, token by token, head by head, layer by layer:
    2 per weight, then for each query head and visible key q·k and a·v (2·head_dim each)."""
    flops = 0
    for t in query_tokens:  # token t sees t cached tokens (itself included)
        flops += 2 * m.weights_read_per_step
        for _layer in range(m.n_layers):
            for _head in range(m.n_heads):
                flops += t * (2 * m.head_dim + 2 * m.head_dim)
    return flops, 2 * m.n_layers * kv_heads * m.head_dim * query_tokens[-1]


def test_arithmetic_intensity_of_decode_and_prefill():
    m = get_preset("demo-1b")
    weights = 795_403_776 * 2
    flops, cache_numbers = loop_flops(m, range(2048, 2049), 4)
    assert m.step_flops(2048) == flops
    assert m.decode_intensity(1, 2048) == flops / (weights + 2 * cache_numbers)
    assert m.decode_intensity(64, 2048) == 64 * flops / (weights + 64 * 2 * cache_numbers)
    # MHA in bfloat16: a multiply-add per weight (2 bytes) and per cached number (2 bytes)
    assert m.decode_intensity(1, 2048, 24) == pytest.approx(1.0)
    small = dataclasses.replace(m, max_len=64)
    flops, cache_numbers = loop_flops(small, range(1, 65), 4)
    assert small.prefill_intensity(64) == pytest.approx(flops / (weights + 2 * cache_numbers))
    assert 64 < small.prefill_intensity(64) < 65  # about one FLOP per byte per prompt token
    with pytest.raises(ValueError, match="at least one token"):
        m.prefill_intensity(0)


def test_a_prefill_in_a_sliding_window_attends_to_at_most_the_window():
    m = dataclasses.replace(get_preset("demo-1b"), layer_windows=(None, 3) * 12)
    seen = sum(min(i, w or i) for w in m.layer_windows for i in range(1, 11))
    assert m.prefill_attended(10) == seen
    assert m.prefill_attended(2) == 24 * 3
