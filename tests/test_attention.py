"""deck.content.attention against independent computations: loops, explicit softmax,
complex RoPE."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from deck.content.attention import (
    HEATMAP_TOKENS,
    conversion_example,
    gqa_forward,
    gqa_forward_with_weights,
    group_example,
    heatmap_example,
    kv_cache_table,
    masked_softmax,
    mean_pool_kv_heads,
    previous_token_head,
    repeat_kv,
    rope,
    scaled_dot_product_attention,
)
from deck.content.model import get_preset

FAST = settings(max_examples=60, deadline=None)
MiB, GiB = 2**20, 2**30


# ── independent references ─────────────────────────────────────────────
def complex_rope(x: np.ndarray, positions, base: float = 10000.0) -> np.ndarray:
    """RoPE as in RoFormer §3.4: pair (2i, 2i+1) is the complex number x_2i + i·x_2i+1,
    multiplied by e^{i·p·θ_i}. x: [seq, d] for one head."""
    seq, d = x.shape
    out = np.empty((seq, d))
    for t in range(seq):
        for i in range(d // 2):
            theta = base ** (-(2 * i) / d)
            z = complex(x[t, 2 * i], x[t, 2 * i + 1]) * np.exp(1j * positions[t] * theta)
            out[t, 2 * i], out[t, 2 * i + 1] = z.real, z.imag
    return out


def reference_attention(x, wq, wk_heads, wv_heads, wo, positions, base=10000.0):
    """Multi-head causal attention, one head at a time, with an explicit softmax.

    wk_heads / wv_heads: one [hidden, d] matrix per *query* head, so the caller decides
    which heads share K/V (MHA: all distinct, MQA: all the same)."""
    b, s, _ = x.shape
    n_heads = len(wk_heads)
    d = wq.shape[1] // n_heads
    out = np.zeros((b, s, n_heads * d))
    weights = np.zeros((b, n_heads, s, s))
    for bi in range(b):
        for h in range(n_heads):
            q = complex_rope(x[bi] @ wq[:, h * d : (h + 1) * d], positions, base)
            k = complex_rope(x[bi] @ wk_heads[h], positions, base)
            v = x[bi] @ wv_heads[h]
            for i in range(s):
                logits = [float(q[i] @ k[j]) / math.sqrt(d) for j in range(i + 1)]
                top = max(logits)
                e = [math.exp(z - top) for z in logits]
                p = [ei / sum(e) for ei in e]
                weights[bi, h, i, : i + 1] = p
                out[bi, i, h * d : (h + 1) * d] = sum(pj * v[j] for j, pj in enumerate(p))
    return out @ wo, weights


def column_blocks(w: np.ndarray, d: int) -> list[np.ndarray]:
    return [w[:, j * d : (j + 1) * d] for j in range(w.shape[1] // d)]


def random_layer(rng, hidden, n_heads, n_kv, d):
    def w(*shape):
        return rng.normal(size=shape) / math.sqrt(shape[0])

    return w(hidden, n_heads * d), w(hidden, n_kv * d), w(hidden, n_kv * d), w(n_heads * d, hidden)


def layer_case(shape, hidden, *, mha):
    """A `layer_shapes` draw made concrete: (n_heads, n_kv, group, head_dim, (wq, wk, wv, wo),
    x, positions). With mha, wk and wv have one head per query head (a checkpoint to convert)."""
    b, s, n_kv, group, d, seed, start = shape
    n_heads = n_kv * group
    rng = np.random.default_rng(seed)
    weights = random_layer(rng, hidden, n_heads, n_heads if mha else n_kv, d)
    x = rng.normal(size=(b, s, hidden))
    return n_heads, n_kv, group, d, weights, x, np.arange(start, start + s)


layer_shapes = st.tuples(
    st.integers(1, 2),  # batch
    st.integers(1, 5),  # seq
    st.integers(1, 3),  # n_kv_heads
    st.integers(1, 3),  # group size
    st.sampled_from([2, 4, 8]),  # head_dim
    st.integers(0, 2**32 - 1),  # seed
    st.integers(0, 50),  # first position
)


# ── GQA ─────────────────────────────────────────────────────────────────
@FAST
@given(layer_shapes)
def test_gqa_with_as_many_kv_heads_as_query_heads_is_multi_head_attention(shape):
    b, s, n_heads, _, d, seed, start = shape
    rng = np.random.default_rng(seed)
    hidden = 6
    wq, wk, wv, wo = random_layer(rng, hidden, n_heads, n_heads, d)
    x = rng.normal(size=(b, s, hidden))
    positions = np.arange(start, start + s)
    got, got_w = gqa_forward_with_weights(x, wq, wk, wv, wo, n_heads, n_heads, positions)
    want, want_w = reference_attention(
        x, wq, column_blocks(wk, d), column_blocks(wv, d), wo, positions
    )
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got_w, want_w, rtol=1e-9, atol=1e-12)


@FAST
@given(layer_shapes)
def test_gqa_equals_mha_with_kv_weights_repeated_per_group(shape):
    hidden = 5
    n_heads, n_kv, group, d, (wq, wk, wv, wo), x, positions = layer_case(shape, hidden, mha=False)

    # An MHA checkpoint whose K/V column blocks are copied `group` times, side by side.
    def repeated(w):
        return np.repeat(w.reshape(hidden, n_kv, d), group, axis=1).reshape(hidden, n_heads * d)

    wk_mha, wv_mha = repeated(wk), repeated(wv)
    got = gqa_forward(x, wq, wk, wv, wo, n_heads, n_kv, positions)
    want, _ = reference_attention(
        x, wq, column_blocks(wk_mha, d), column_blocks(wv_mha, d), wo, positions
    )
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    mha = gqa_forward(x, wq, wk_mha, wv_mha, wo, n_heads, n_heads, positions)
    np.testing.assert_allclose(got, mha, rtol=1e-9, atol=1e-12)


def test_one_kv_head_is_multi_query_attention():
    rng = np.random.default_rng(7)
    hidden, n_heads, d, s = 8, 4, 4, 5
    wq, wk, wv, wo = random_layer(rng, hidden, n_heads, 1, d)
    x = rng.normal(size=(2, s, hidden))
    positions = np.arange(s)
    got, got_w = gqa_forward_with_weights(x, wq, wk, wv, wo, n_heads, 1, positions)
    want, want_w = reference_attention(x, wq, [wk] * n_heads, [wv] * n_heads, wo, positions)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(got_w, want_w, rtol=1e-9, atol=1e-12)


def test_gqa_keeps_the_hidden_size_and_is_causal():
    rng = np.random.default_rng(3)
    hidden, n_heads, n_kv, d, s = 12, 6, 2, 2, 6
    wq, wk, wv, wo = random_layer(rng, hidden, n_heads, n_kv, d)
    x = rng.normal(size=(1, s, hidden))
    out = gqa_forward(x, wq, wk, wv, wo, n_heads, n_kv, np.arange(s))
    assert out.shape == (1, s, hidden)
    # Changing the last token cannot change any earlier output.
    x2 = x.copy()
    x2[0, -1] += 1.0
    out2 = gqa_forward(x2, wq, wk, wv, wo, n_heads, n_kv, np.arange(s))
    np.testing.assert_array_equal(out[0, :-1], out2[0, :-1])
    assert not np.allclose(out[0, -1], out2[0, -1])


# ── repeat_kv ───────────────────────────────────────────────────────────
@FAST
@given(st.integers(1, 5), st.integers(1, 6), st.integers(1, 3), st.integers(1, 4))
def test_repeat_kv_query_head_h_reads_kv_head_h_div_n_rep(n_kv, n_rep, seq, d):
    x = np.random.default_rng(n_kv * 100 + n_rep).normal(size=(2, seq, n_kv, d))
    out = repeat_kv(x, n_rep)
    assert out.shape == (2, seq, n_kv * n_rep, d)
    for h in range(n_kv * n_rep):
        np.testing.assert_array_equal(out[:, :, h], x[:, :, h // n_rep])


def test_repeat_kv_for_the_deck_model_maps_six_query_heads_to_each_kv_head():
    model = get_preset("demo-1b")
    x = np.arange(4, dtype=float).reshape(1, 1, 4, 1)  # KV head j holds the value j
    out = repeat_kv(x, 6)
    expected = [0] * 6 + [1] * 6 + [2] * 6 + [3] * 6  # Q0–5 → KV0 … Q18–23 → KV3
    assert out[0, 0, :, 0].tolist() == expected
    assert [model.kv_head_of(h) for h in range(24)] == expected


# ── causal attention and softmax ───────────────────────────────────────
@FAST
@given(st.integers(1, 8), st.integers(1, 3), st.integers(0, 2**32 - 1))
def test_causal_rows_sum_to_one_with_exact_zeros_above_the_diagonal(s, h, seed):
    rng = np.random.default_rng(seed)
    q, k, v = (rng.normal(size=(2, s, h, 4)) * 3 for _ in range(3))
    out, w = scaled_dot_product_attention(q, k, v, causal=True)
    assert out.shape == (2, s, h, 4) and w.shape == (2, h, s, s)
    np.testing.assert_allclose(w.sum(axis=-1), 1.0, rtol=0, atol=1e-12)
    above = np.triu(np.ones((s, s), dtype=bool), k=1)
    assert np.all(w[..., above] == 0.0)
    assert np.all(w[..., ~above] > 0.0)


def test_attention_matches_an_explicit_loop_without_mask():
    rng = np.random.default_rng(11)
    q, k, v = (
        rng.normal(size=(1, 3, 2, 4)),
        rng.normal(size=(1, 5, 2, 4)),
        rng.normal(size=(1, 5, 2, 4)),
    )
    out, w = scaled_dot_product_attention(q, k, v, causal=False)
    for h in range(2):
        for i in range(3):
            logits = np.array([q[0, i, h] @ k[0, j, h] for j in range(5)]) / 2.0
            p = np.exp(logits) / np.exp(logits).sum()
            np.testing.assert_allclose(w[0, h, i], p, rtol=1e-12)
            np.testing.assert_allclose(out[0, i, h], p @ v[0, :, h], rtol=1e-12)


def test_a_single_new_query_over_the_cache_equals_the_last_row_of_full_attention():
    rng = np.random.default_rng(5)
    q, k, v = (rng.normal(size=(1, 6, 3, 8)) for _ in range(3))
    full_out, full_w = scaled_dot_product_attention(q, k, v, causal=True)
    step_out, step_w = scaled_dot_product_attention(q[:, -1:], k, v, causal=True)
    np.testing.assert_allclose(step_out[:, 0], full_out[:, -1], rtol=1e-12)
    np.testing.assert_allclose(step_w[:, :, 0], full_w[:, :, -1], rtol=1e-12)


def test_softmax_is_finite_for_logits_of_plus_minus_1e4():
    w = masked_softmax(np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4]]))
    assert np.all(np.isfinite(w))
    np.testing.assert_allclose(w, [[1, 0, 0], [1 / 3, 1 / 3, 1 / 3]], atol=1e-300)
    # Through attention: q·k/√d = ±1e4 with d = 4.
    q = np.zeros((1, 2, 1, 4))
    q[0, :, 0, 0] = 2e4
    k = np.zeros((1, 2, 1, 4))
    k[0, :, 0, 0] = [1.0, -1.0]
    v = np.arange(8, dtype=float).reshape(1, 2, 1, 4)
    out, w = scaled_dot_product_attention(q, k, v, causal=False)
    assert np.all(np.isfinite(out)) and np.all(np.isfinite(w))
    np.testing.assert_array_equal(w[0, 0], [[1, 0], [1, 0]])


# ── RoPE ────────────────────────────────────────────────────────────────
vectors = st.integers(1, 4).flatmap(
    lambda half: st.lists(st.floats(-10, 10, allow_nan=False), min_size=2 * half, max_size=2 * half)
)
positions_st = st.integers(-1000, 5000)


def _rope1(v, p, base=10000.0):
    return rope(np.asarray(v, dtype=float).reshape(1, 1, 1, -1), np.array([p]), base)[0, 0, 0]


@FAST
@given(vectors, positions_st)
def test_rope_keeps_the_norm(v, p):
    assert np.linalg.norm(_rope1(v, p)) == pytest.approx(np.linalg.norm(v), rel=1e-9, abs=1e-9)


@FAST
@given(
    st.integers(0, 2**32 - 1),
    st.sampled_from([2, 4, 16, 64]),
    positions_st,
    positions_st,
    st.integers(-500, 500),
)
def test_rope_dot_product_depends_only_on_the_offset(seed, d, m, n, shift):
    rng = np.random.default_rng(seed)
    q, k = rng.normal(size=d), rng.normal(size=d)
    a = _rope1(q, m) @ _rope1(k, n)
    b = _rope1(q, m + shift) @ _rope1(k, n + shift)
    assert a == pytest.approx(b, rel=1e-7, abs=1e-7)


@FAST
@given(
    st.integers(0, 2**32 - 1),
    st.integers(1, 4),
    st.sampled_from([2, 6, 16]),
    st.sampled_from([10000.0, 500000.0, 10.0]),
)
def test_rope_equals_the_complex_number_form(seed, seq, d, base):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(2, seq, 3, d))
    positions = rng.integers(-100, 3000, size=seq)
    got = rope(x, positions, base)
    for b in range(2):
        for h in range(3):
            np.testing.assert_allclose(
                got[b, :, h], complex_rope(x[b, :, h], positions, base), rtol=1e-9, atol=1e-9
            )


def test_rope_at_position_zero_is_the_identity():
    x = np.random.default_rng(0).normal(size=(1, 1, 2, 8))
    np.testing.assert_array_equal(rope(x, np.array([0])), x)


# ── bad input ───────────────────────────────────────────────────────────
def _raises_naming(*shapes):
    pattern = ".*".join(re.escape(str(s)) for s in shapes)
    return pytest.raises(ValueError, match=pattern)


def test_bad_inputs_raise_value_errors_that_name_the_shapes():
    z = np.zeros
    with _raises_naming((1, 3, 2, 5)):
        rope(z((1, 3, 2, 5)), np.arange(3))  # odd head_dim
    with _raises_naming((3,), (1, 3, 2, 4), (4,)):
        rope(z((1, 3, 2, 4)), np.arange(4))
    with _raises_naming((3, 2, 4)):
        repeat_kv(z((3, 2, 4)), 2)
    with _raises_naming((1, 2, 2, 4)):
        repeat_kv(z((1, 2, 2, 4)), 0)
    with _raises_naming((1, 4, 2, 8), (1, 4, 3, 8)):
        scaled_dot_product_attention(z((1, 4, 2, 8)), z((1, 4, 3, 8)), z((1, 4, 3, 8)))
    with _raises_naming((1, 4, 2, 8), (1, 5, 2, 8)):
        scaled_dot_product_attention(z((1, 4, 2, 8)), z((1, 4, 2, 8)), z((1, 5, 2, 8)))
    with _raises_naming((1, 5, 2, 8), (1, 4, 2, 8)):
        scaled_dot_product_attention(z((1, 5, 2, 8)), z((1, 4, 2, 8)), z((1, 4, 2, 8)))

    x, pos = z((1, 3, 8)), np.arange(3)
    with pytest.raises(ValueError, match=r"n_heads=6.*n_kv_heads=4"):
        gqa_forward(x, z((8, 12)), z((8, 8)), z((8, 8)), z((12, 8)), 6, 4, pos)
    with _raises_naming((8, 4), (8, 6)):
        gqa_forward(x, z((8, 8)), z((8, 6)), z((8, 4)), z((8, 8)), 4, 2, pos)
    with _raises_naming((8, 8), (7, 8)):
        gqa_forward(x, z((8, 8)), z((8, 4)), z((8, 4)), z((7, 8)), 4, 2, pos)
    with _raises_naming((1, 3, 8), (9, 8)):
        gqa_forward(x, z((9, 8)), z((8, 4)), z((8, 4)), z((8, 8)), 4, 2, pos)
    with _raises_naming((3, 8)):
        gqa_forward(z((3, 8)), z((8, 8)), z((8, 4)), z((8, 4)), z((8, 8)), 4, 2, pos)


# ── KV-cache table ──────────────────────────────────────────────────────
def test_kv_cache_table_for_the_deck_model_matches_the_reference_figures():
    rows = kv_cache_table(get_preset("demo-1b"), [1, 2048, 32768])
    assert [(r.name, r.n_kv_heads) for r in rows] == [("MHA", 24), ("GQA", 4), ("MQA", 1)]
    assert [r.bytes_per_token for r in rows] == [147_456, 24_576, 6_144]
    assert [r.bytes_at for r in rows] == [
        (147_456, 288 * MiB, 4.5 * GiB),
        (24_576, 48 * MiB, 768 * MiB),
        (6_144, 12 * MiB, 192 * MiB),
    ]
    assert [r.saving for r in rows] == pytest.approx([0.0, 0.8333333, 0.9583333], abs=1e-6)


# ── the heatmap ─────────────────────────────────────────────────────────
def test_heatmap_is_a_previous_token_head():
    ex = heatmap_example()
    w = ex.weights
    n = len(ex.tokens)
    assert ex.tokens == ("<bos>", "The", "cat", "sat", "on", "the", "mat") == HEATMAP_TOKENS
    assert w.shape == (n, n) and ex.offset == 1
    np.testing.assert_allclose(w.sum(axis=1), 1.0, atol=1e-12)
    assert np.all(w[np.triu_indices(n, k=1)] == 0.0)
    assert w[0].tolist() == [1.0] + [0.0] * (n - 1)
    assert w[1, 0] > 0.5  # <bos> is token 1's previous token
    for i in range(1, n):
        assert int(np.argmax(w[i])) == i - 1
        runner_up = np.delete(w[i, : i + 1], i - 1).max()
        assert w[i, i - 1] >= 0.4 and w[i, i - 1] - runner_up >= 0.2, (i, w[i])


def test_heatmap_weights_are_the_causal_softmax_of_its_scores():
    ex = heatmap_example()
    for i in range(len(ex.tokens)):
        row = np.exp(ex.scores[i, : i + 1] - ex.scores[i, : i + 1].max())
        np.testing.assert_allclose(ex.weights[i, : i + 1], row / row.sum(), rtol=1e-12)


@pytest.mark.parametrize("offset", [1, 2])
def test_without_content_noise_the_scores_depend_only_on_the_offset(offset):
    ex = previous_token_head(noise=0.0, offset=offset)
    n = len(ex.tokens)
    for delta in range(-n + 1, n):  # every diagonal is constant (a Toeplitz matrix)
        diag = np.diagonal(ex.scores, offset=-delta)
        np.testing.assert_allclose(diag, diag[0], rtol=1e-9, atol=1e-9)
    for i in range(offset, n):
        assert int(np.argmax(ex.weights[i])) == i - offset


def test_heatmap_is_deterministic_and_read_only():
    a, b = heatmap_example(), heatmap_example()
    np.testing.assert_array_equal(a.weights, b.weights)
    np.testing.assert_array_equal(a.scores, b.scores)
    assert a.head_dim == 64
    with pytest.raises(ValueError):
        a.weights[0, 0] = 0.5


# ── converting MHA to GQA: mean-pooling the K/V heads of each group ────
def loop_mean_pool(w: np.ndarray, n_heads: int, n_groups: int, d: int) -> np.ndarray:
    """GQA §2.2 one head at a time: KV head g is the average of MHA heads g·r … g·r + r − 1
    (r = n_heads / n_groups), the heads repeat_kv later hands it back to. w: [n_heads·d, in]."""
    r = n_heads // n_groups
    out = []
    for g in range(n_groups):
        block = sum(w[h * d : (h + 1) * d] for h in range(g * r, (g + 1) * r))
        out.append(block / r)
    return np.concatenate(out)


pool_shapes = st.tuples(
    st.integers(1, 4),  # n_groups
    st.integers(1, 4),  # heads per group
    st.integers(1, 4),  # head_dim
    st.integers(1, 6),  # in features
    st.integers(0, 2**32 - 1),  # seed
)


@FAST
@given(pool_shapes)
def test_mean_pool_matches_a_loop_over_the_heads_of_each_group(shape):
    n_groups, r, d, fan_in, seed = shape
    n_heads = n_groups * r
    w = np.random.default_rng(seed).normal(size=(n_heads * d, fan_in))
    got = mean_pool_kv_heads(w, n_heads, n_groups, d)
    assert got.shape == (n_groups * d, fan_in)
    np.testing.assert_allclose(got, loop_mean_pool(w, n_heads, n_groups, d), rtol=1e-12)
    # A bias vector [n_heads·d] is pooled the same way.
    bias = w[:, 0]
    np.testing.assert_allclose(
        mean_pool_kv_heads(bias, n_heads, n_groups, d),
        loop_mean_pool(bias[:, None], n_heads, n_groups, d)[:, 0],
        rtol=1e-12,
    )


@FAST
@given(pool_shapes)
def test_mean_pool_with_one_group_per_head_is_the_identity_and_with_one_group_the_mean(shape):
    _, n_heads, d, fan_in, seed = shape
    w = np.random.default_rng(seed).normal(size=(n_heads * d, fan_in))
    np.testing.assert_array_equal(mean_pool_kv_heads(w, n_heads, n_heads, d), w)
    every_head = [w[h * d : (h + 1) * d] for h in range(n_heads)]
    np.testing.assert_allclose(
        mean_pool_kv_heads(w, n_heads, 1, d), sum(every_head) / n_heads, rtol=1e-12
    )


def test_mean_pool_of_the_deck_model_shape_averages_six_heads_into_each_kv_head():
    model = get_preset("demo-1b")
    d = model.head_dim
    # Head h's rows all hold the value h: KV head g must hold the mean of 6g … 6g + 5.
    w = np.repeat(np.arange(model.n_heads, dtype=float), d)[:, None] * np.ones((1, 3))
    got = mean_pool_kv_heads(w, model.n_heads, model.n_kv_heads, d)
    assert got.shape == (model.n_kv_heads * d, 3)
    assert [got[g * d, 0] for g in range(4)] == [2.5, 8.5, 14.5, 20.5]


@FAST
@given(layer_shapes)
def test_converted_gqa_equals_mha_with_each_heads_kv_replaced_by_its_group_mean(shape):
    # An MHA checkpoint, to be converted to n_groups KV heads of r query heads each.
    n_heads, n_groups, r, d, (wq, wk, wv, wo), x, positions = layer_case(shape, 5, mha=True)

    # Convert in the checkpoint's nn.Linear layout [out, in], then run the GQA layer.
    wk_g, wv_g = (mean_pool_kv_heads(w.T, n_heads, n_groups, d).T for w in (wk, wv))
    got = gqa_forward(x, wq, wk_g, wv_g, wo, n_heads, n_groups, positions)

    # MHA in which query head h uses the mean of its group's K/V heads, built explicitly.
    def group_means(w):
        blocks = column_blocks(w, d)
        return [sum(blocks[(h // r) * r : (h // r + 1) * r]) / r for h in range(n_heads)]

    want, _ = reference_attention(x, wq, group_means(wk), group_means(wv), wo, positions)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_mean_pool_rejects_bad_shapes_and_groups_that_do_not_divide_the_heads():
    w = np.zeros((8, 3))
    with pytest.raises(ValueError, match=r"n_groups=3 does not divide n_heads=4.*1, 2, 4"):
        mean_pool_kv_heads(w, 4, 3, 2)
    with _raises_naming((8, 3)):
        mean_pool_kv_heads(w, 4, 2, 3)  # 4 heads × 3 ≠ 8 rows
    with _raises_naming((2, 8, 3)):
        mean_pool_kv_heads(np.zeros((2, 8, 3)), 4, 2, 2)
    with _raises_naming((3, 8)):
        mean_pool_kv_heads(w.T, 4, 2, 2)  # the x @ w layout, not nn.Linear's
    for bad in (0, -2, 1.5):
        with pytest.raises(ValueError, match="n_groups must be a positive integer"):
            mean_pool_kv_heads(w, 4, bad, 2)
    with pytest.raises(ValueError, match="head_dim must be a positive integer"):
        mean_pool_kv_heads(w, 4, 2, 0)


# ── the conversion slide's worked example ───────────────────────────────
def _reference_relative_errors(ex):
    """Recompute the example from its own weights with the loop reference: MHA, then each G."""
    x, n_heads, d = ex.x[None], ex.n_heads, ex.head_dim
    positions = np.arange(ex.x.shape[0])
    wq, wo = ex.wq.T, ex.wo.T  # nn.Linear [out, in] → this module's x @ w layout
    k_heads = [ex.wk[h * d : (h + 1) * d].T for h in range(n_heads)]
    v_heads = [ex.wv[h * d : (h + 1) * d].T for h in range(n_heads)]
    mha, _ = reference_attention(x, wq, k_heads, v_heads, wo, positions)
    errors = {}
    for layer in ex.converted:
        r = n_heads // layer.n_groups

        def shared(heads, r=r):
            return [sum(heads[(h // r) * r : (h // r + 1) * r]) / r for h in range(n_heads)]

        out, _ = reference_attention(x, wq, shared(k_heads), shared(v_heads), wo, positions)
        errors[layer.n_groups] = np.linalg.norm(out - mha) / np.linalg.norm(mha)
        np.testing.assert_allclose(layer.output, out[0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(ex.output, mha[0], rtol=1e-9, atol=1e-12)
    return errors


def test_worked_example_errors_are_zero_for_mha_and_grow_as_groups_shrink():
    ex = conversion_example()
    assert (ex.n_heads, ex.head_dim, ex.hidden) == (4, 2, 8)
    assert [c.n_groups for c in ex.converted] == [4, 2, 1]
    assert ex.at(4).relative_error == 0.0
    np.testing.assert_array_equal(ex.at(4).wk, ex.wk)
    errors = _reference_relative_errors(ex)
    for layer in ex.converted:
        assert layer.relative_error == pytest.approx(errors[layer.n_groups], rel=1e-9, abs=1e-12)
    assert 0 < ex.at(2).relative_error < ex.at(1).relative_error
    # The figures the slide prints (46 %, 62 %), from the independent recomputation.
    assert [round(100 * errors[g]) for g in (4, 2, 1)] == [0, 46, 62]


def test_worked_example_weights_are_the_loop_mean_of_the_mha_heads():
    ex = conversion_example()
    for layer in ex.converted:
        g = layer.n_groups
        assert layer.wk.shape == layer.wv.shape == (g * ex.head_dim, ex.hidden)
        np.testing.assert_allclose(layer.wk, loop_mean_pool(ex.wk, 4, g, 2), rtol=1e-12)
        np.testing.assert_allclose(layer.wv, loop_mean_pool(ex.wv, 4, g, 2), rtol=1e-12)


@settings(max_examples=15, deadline=None)
@given(st.integers(0, 2**32 - 1), st.sampled_from([(4, (4, 2, 1)), (6, (6, 3, 1)), (8, None)]))
def test_worked_example_for_any_seed_is_exact_for_mha_and_inexact_below(seed, heads_groups):
    n_heads, groups = heads_groups
    ex = conversion_example(n_heads=n_heads, groups=groups, seed=seed)
    errors = _reference_relative_errors(ex)
    assert ex.at(n_heads).relative_error == 0.0 == errors[n_heads]
    assert all(errors[c.n_groups] > 1e-3 for c in ex.converted if c.n_groups < n_heads)


def test_worked_example_with_identical_heads_loses_nothing_at_any_group_count():
    ex = conversion_example(shared=1.0, n_heads=6)
    assert [c.n_groups for c in ex.converted] == [6, 3, 2, 1]
    for layer in ex.converted:
        assert layer.relative_error == pytest.approx(0.0, abs=1e-12)


def test_worked_example_is_deterministic_read_only_and_rejects_unknown_groups():
    a, b = conversion_example(), conversion_example()
    np.testing.assert_array_equal(a.output, b.output)
    np.testing.assert_array_equal(a.at(1).wv, b.at(1).wv)
    with pytest.raises(ValueError):
        a.wk[0, 0] = 1.0
    with pytest.raises(ValueError):
        a.at(2).output[0, 0] = 1.0
    with pytest.raises(ValueError, match=r"no conversion to 3 groups.*4, 2, 1"):
        a.at(3)
    with pytest.raises(ValueError, match="does not divide"):
        conversion_example(groups=(4, 3))
    with pytest.raises(ValueError, match="shared"):
        conversion_example(shared=1.5)


# ── one group: query heads with their own patterns over one shared K/V head ──
def test_group_weights_are_an_explicit_causal_softmax_over_the_shared_keys():
    ex = group_example()
    n, d = len(ex.tokens), ex.head_dim
    for h in range(len(ex.patterns)):
        for i in range(n):
            logits = [float(ex.queries[h, i] @ ex.keys[j]) / math.sqrt(d) for j in range(i + 1)]
            top = max(logits)
            e = [math.exp(x - top) for x in logits]
            expected = [x / sum(e) for x in e] + [0.0] * (n - i - 1)
            np.testing.assert_allclose(ex.weights[h, i], expected, rtol=1e-12, atol=1e-15)
            out = sum(w * ex.values[j] for j, w in enumerate(expected))
            np.testing.assert_allclose(ex.output[h, i], out, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ex.weights.sum(axis=-1), 1.0, rtol=1e-12)


def test_each_query_head_of_the_group_has_the_pattern_it_is_named_for():
    ex = group_example()
    w = dict(zip(ex.patterns, ex.weights, strict=True))
    n = len(ex.tokens)
    for i in range(1, n):
        assert np.argmax(w["previous token"][i]) == i - 1
        assert np.argmax(w["first token"][i]) == 0
        assert np.argmax(w["current token"][i]) == i
        visible = w["even spread"][i, : i + 1]
        assert visible.max() < 3 / (i + 1) and visible.min() > 0.3 / (i + 1)
    # the same keys and values for every head: one KV head, however many query heads
    assert ex.keys.shape == ex.values.shape == (n, ex.head_dim)


def test_a_group_example_is_read_only_deterministic_and_checks_its_patterns():
    a, b = group_example(), group_example()
    np.testing.assert_array_equal(a.weights, b.weights)
    assert not a.weights.flags.writeable
    assert group_example(patterns=("first token",)).weights.shape == (1, 7, 7)
    with pytest.raises(ValueError, match="unknown pattern"):
        group_example(patterns=("induction",))
