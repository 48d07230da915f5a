"""Grouped-query attention in plain numpy: RoPE, repeat_kv, causal attention, the heatmap data,
and the conversion of an MHA checkpoint to GQA by mean-pooling its K/V heads.

Shapes are [batch, seq, heads, head_dim] unless stated. Every function checks its
inputs and raises ValueError naming the offending shapes, so a scene that feeds a
wrong tensor fails loudly instead of drawing a plausible-looking picture.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # only for annotations: at runtime this module needs numpy alone
    from deck.content.model import Model

__all__ = [
    "HEATMAP_TOKENS",
    "ConversionExample",
    "ConvertedLayer",
    "HeatmapExample",
    "KVCacheRow",
    "causal_mask",
    "conversion_example",
    "gqa_forward",
    "gqa_forward_with_weights",
    "heatmap_example",
    "kv_cache_table",
    "masked_softmax",
    "mean_pool_kv_heads",
    "previous_token_head",
    "repeat_kv",
    "rope",
    "rope_frequencies",
    "scaled_dot_product_attention",
]


def _as_4d(name: str, x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 4:
        raise ValueError(f"{name} must be [batch, seq, heads, head_dim], got shape {x.shape}")
    return x


# ── RoPE ────────────────────────────────────────────────────────────────
def rope_frequencies(head_dim: int, base: float = 10000.0) -> np.ndarray:
    """θ_i = base^(−2i/head_dim) for the head_dim/2 interleaved pairs (fastest first)."""
    if head_dim <= 0 or head_dim % 2:
        raise ValueError(f"RoPE needs a positive even head_dim, got head_dim={head_dim}")
    return base ** (-np.arange(0, head_dim, 2, dtype=np.float64) / head_dim)


def rope(x: np.ndarray, positions: np.ndarray, base: float = 10000.0) -> np.ndarray:
    """Rotate each interleaved pair (2i, 2i+1) of x by the angle position·θ_i.

    x: [batch, seq, heads, head_dim]; positions: [seq] (integers; negative ones are
    allowed and rotate backwards). Rotations preserve norms, and because R(a)ᵀR(b) =
    R(b − a), rope(q, m)·rope(k, n) depends on m − n only.
    """
    x = _as_4d("x", x)
    positions = np.asarray(positions)
    if positions.shape != (x.shape[1],):
        raise ValueError(
            f"positions must have shape (seq,) = ({x.shape[1]},) for x of shape {x.shape}, "
            f"got shape {positions.shape}"
        )
    if x.shape[3] % 2:
        raise ValueError(f"RoPE needs an even head_dim, got x of shape {x.shape}")
    angles = positions.astype(np.float64)[:, None] * rope_frequencies(x.shape[3], base)
    cos = np.cos(angles)[None, :, None, :]  # [1, seq, 1, head_dim/2]
    sin = np.sin(angles)[None, :, None, :]
    even, odd = x[..., 0::2], x[..., 1::2]
    out = np.empty_like(x)
    out[..., 0::2] = even * cos - odd * sin
    out[..., 1::2] = even * sin + odd * cos
    return out


# ── GQA building blocks ────────────────────────────────────────────────
def repeat_kv(x: np.ndarray, n_rep: int) -> np.ndarray:
    """[b, s, n_kv, d] → [b, s, n_kv·n_rep, d]; query head h reads KV head h // n_rep.

    Expand a new axis after the KV-head axis, then merge it into the head axis: the
    copies of one KV head end up adjacent, which is what makes the mapping h // n_rep.
    """
    x = _as_4d("x", x)
    if not isinstance(n_rep, int | np.integer) or n_rep < 1:
        raise ValueError(
            f"n_rep must be a positive integer, got {n_rep!r} for x of shape {x.shape}"
        )
    b, s, n_kv, d = x.shape
    return np.broadcast_to(x[:, :, :, None, :], (b, s, n_kv, n_rep, d)).reshape(
        b, s, n_kv * n_rep, d
    )


def causal_mask(q_len: int, k_len: int | None = None) -> np.ndarray:
    """Boolean [q_len, k_len], True where query i may see key j.

    Queries are the last q_len positions of the k_len keys (as when decoding with a
    KV cache), so query i sees keys j ≤ i + (k_len − q_len).
    """
    k_len = q_len if k_len is None else k_len
    if q_len > k_len:
        raise ValueError(f"causal attention needs q_len ≤ k_len, got q_len={q_len}, k_len={k_len}")
    return np.tril(np.ones((q_len, k_len), dtype=bool), k=k_len - q_len)


def masked_softmax(scores: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Softmax over the last axis; masked-out entries (mask False) come out exactly 0.

    Subtracting each row's maximum keeps exp() in (0, 1], so logits of ±1e4 stay finite.
    Every row must keep at least one entry.
    """
    scores = np.asarray(scores, dtype=np.float64)
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        try:
            np.broadcast_shapes(mask.shape, scores.shape)
        except ValueError:
            raise ValueError(
                f"mask of shape {mask.shape} does not broadcast to scores of shape {scores.shape}"
            ) from None
        if not np.broadcast_to(mask, scores.shape).any(axis=-1).all():
            raise ValueError(f"mask of shape {mask.shape} leaves a row with no visible key")
        scores = np.where(mask, scores, -np.inf)
    shifted = scores - scores.max(axis=-1, keepdims=True)
    e = np.exp(shifted)  # exp(−inf) is exactly 0
    return e / e.sum(axis=-1, keepdims=True)


def scaled_dot_product_attention(
    q: np.ndarray, k: np.ndarray, v: np.ndarray, causal: bool = True
) -> tuple[np.ndarray, np.ndarray]:
    """softmax(q·kᵀ/√d) v per head.

    q: [b, s_q, h, d]; k, v: [b, s_k, h, d] (same head count: call repeat_kv first).
    Returns (output [b, s_q, h, d], weights [b, h, s_q, s_k]); rows of weights sum to 1
    and, when causal, entries above the (bottom-right aligned) diagonal are exactly 0.
    """
    q, k, v = _as_4d("q", q), _as_4d("k", k), _as_4d("v", v)
    if k.shape != v.shape:
        raise ValueError(f"k and v must have the same shape, got k {k.shape} and v {v.shape}")
    if (q.shape[0], q.shape[2], q.shape[3]) != (k.shape[0], k.shape[2], k.shape[3]):
        raise ValueError(
            f"q and k must agree in batch, heads and head_dim, got q {q.shape} and k {k.shape}"
        )
    if causal and q.shape[1] > k.shape[1]:
        raise ValueError(f"causal attention needs q_len ≤ k_len, got q {q.shape} and k {k.shape}")
    scores = np.einsum("bqhd,bkhd->bhqk", q, k) / np.sqrt(q.shape[3])
    mask = causal_mask(q.shape[1], k.shape[1]) if causal else None
    weights = masked_softmax(scores, mask)
    out = np.einsum("bhqk,bkhd->bqhd", weights, v)
    return out, weights


def gqa_forward_with_weights(
    x: np.ndarray,
    wq: np.ndarray,
    wk: np.ndarray,
    wv: np.ndarray,
    wo: np.ndarray,
    n_heads: int,
    n_kv_heads: int,
    positions: np.ndarray,
    rope_base: float = 10000.0,
) -> tuple[np.ndarray, np.ndarray]:
    """One causal GQA layer: x [b, s, hidden] → ([b, s, hidden], weights [b, n_heads, s, s]).

    Weights are used as `x @ w`: wq [hidden, n_heads·d], wk and wv [hidden, n_kv_heads·d],
    wo [n_heads·d, hidden]. RoPE rotates Q and K, repeat_kv shares each KV head with
    n_heads / n_kv_heads query heads.
    """
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 3:
        raise ValueError(f"x must be [batch, seq, hidden], got shape {x.shape}")
    if n_heads < 1 or n_kv_heads < 1 or n_heads % n_kv_heads:
        raise ValueError(
            f"n_heads={n_heads} must be a positive multiple of n_kv_heads={n_kv_heads}"
        )
    wq, wk, wv, wo = (np.asarray(w, dtype=np.float64) for w in (wq, wk, wv, wo))
    b, s, hidden = x.shape
    if wq.ndim != 2 or wq.shape[0] != hidden or wq.shape[1] % n_heads:
        raise ValueError(
            f"wq must be [hidden, n_heads·head_dim] = [{hidden}, {n_heads}·d] for x of shape "
            f"{x.shape}, got shape {wq.shape}"
        )
    d = wq.shape[1] // n_heads
    for name, w, want in (
        ("wk", wk, (hidden, n_kv_heads * d)),
        ("wv", wv, (hidden, n_kv_heads * d)),
        ("wo", wo, (n_heads * d, hidden)),
    ):
        if w.shape != want:
            raise ValueError(
                f"{name} must have shape {want} (hidden={hidden}, n_heads={n_heads}, "
                f"n_kv_heads={n_kv_heads}, head_dim={d}), got shape {w.shape}"
            )
    q = (x @ wq).reshape(b, s, n_heads, d)
    k = (x @ wk).reshape(b, s, n_kv_heads, d)
    v = (x @ wv).reshape(b, s, n_kv_heads, d)
    # Rotate Q and K only: V carries content, the position lives in the q·k angle.
    q, k = rope(q, positions, rope_base), rope(k, positions, rope_base)
    n_rep = n_heads // n_kv_heads
    out, weights = scaled_dot_product_attention(
        q, repeat_kv(k, n_rep), repeat_kv(v, n_rep), causal=True
    )
    return out.reshape(b, s, n_heads * d) @ wo, weights


def gqa_forward(*args, **kwargs) -> np.ndarray:
    """One causal GQA layer: x [b, s, hidden] → [b, s, hidden]; the arguments are those of
    `gqa_forward_with_weights`, which also returns the attention weights."""
    return gqa_forward_with_weights(*args, **kwargs)[0]


# ── converting an MHA checkpoint to GQA (Ainslie et al. 2023, §2.2, Figure 1) ──
def mean_pool_kv_heads(
    weight: np.ndarray, n_heads: int, n_groups: int, head_dim: int
) -> np.ndarray:
    """Turn an MHA K or V projection into a GQA-`n_groups` one: each group's heads averaged.

    weight: [n_heads·head_dim, in], the nn.Linear layout of a checkpoint (rows are head 0's
    head_dim outputs, then head 1's, …), or a bias [n_heads·head_dim]. Groups are contiguous:
    with r = n_heads / n_groups, heads g·r … g·r + r − 1 become KV head g, the head that
    repeat_kv hands back to exactly those query heads (h // r = g). Returns
    [n_groups·head_dim, in] (or [n_groups·head_dim]): n_groups = n_heads gives the weight
    back unchanged, n_groups = 1 is MQA. For this module's `x @ w` layout ([in, heads·d]),
    pass `w.T` and transpose the result.
    """
    w = np.asarray(weight, dtype=np.float64)
    for name, value in (("n_heads", n_heads), ("n_groups", n_groups), ("head_dim", head_dim)):
        if not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if n_heads % n_groups:
        divisors = [g for g in range(1, n_heads + 1) if n_heads % g == 0]
        raise ValueError(
            f"n_groups={n_groups} does not divide n_heads={n_heads}; "
            f"choose one of {', '.join(map(str, divisors))}"
        )
    if w.ndim not in (1, 2) or w.shape[0] != n_heads * head_dim:
        raise ValueError(
            f"weight must be [n_heads·head_dim, in] = [{n_heads}·{head_dim}, in] (or a bias of "
            f"shape ({n_heads * head_dim},)), got shape {w.shape}"
        )
    per_group = n_heads // n_groups
    rest = w.shape[1:]
    pooled = w.reshape(n_groups, per_group, head_dim, *rest).mean(axis=1)
    return pooled.reshape(n_groups * head_dim, *rest)


@dataclass(frozen=True, eq=False)
class ConvertedLayer:
    """The example's MHA layer converted to GQA-`n_groups` (arrays are read-only)."""

    n_groups: int
    wk: np.ndarray  # [n_groups·head_dim, hidden], nn.Linear layout
    wv: np.ndarray  # [n_groups·head_dim, hidden]
    output: np.ndarray  # [seq, hidden]
    relative_error: float  # ‖output − MHA output‖ / ‖MHA output‖ (Frobenius norms)


@dataclass(frozen=True, eq=False)
class ConversionExample:
    """A small hand-built MHA layer and its mean-pooled GQA conversions (arrays read-only).

    Weights are in nn.Linear layout [out, in] (the layer computes `x @ w.T`), so the rows of
    wk and wv come in blocks of head_dim per head, the blocks the conversion averages.
    """

    n_heads: int
    head_dim: int
    hidden: int
    seed: int
    shared: float  # fraction of each K (and V) head's variance common to all heads
    x: np.ndarray  # [seq, hidden] the input tokens (positions 0 … seq − 1)
    wq: np.ndarray  # [n_heads·head_dim, hidden]
    wk: np.ndarray  # [n_heads·head_dim, hidden]
    wv: np.ndarray  # [n_heads·head_dim, hidden]
    wo: np.ndarray  # [hidden, n_heads·head_dim]
    output: np.ndarray  # [seq, hidden] the MHA layer's output
    converted: tuple[ConvertedLayer, ...]  # from the most groups to the fewest

    def at(self, n_groups: int) -> ConvertedLayer:
        """The conversion to GQA-`n_groups`."""
        for layer in self.converted:
            if layer.n_groups == n_groups:
                return layer
        have = ", ".join(str(c.n_groups) for c in self.converted)
        raise ValueError(f"no conversion to {n_groups} groups in this example; it has {have}")


def _read_only(a: np.ndarray) -> np.ndarray:
    a = np.array(a, dtype=np.float64)
    a.setflags(write=False)
    return a


def conversion_example(
    *,
    n_heads: int = 4,
    head_dim: int = 2,
    hidden: int = 8,
    seq: int = 5,
    groups: Sequence[int] | None = None,
    shared: float = 0.7,
    seed: int = 2,
) -> ConversionExample:
    """Convert a seeded MHA layer to GQA-G for each G in `groups` (default: every divisor of
    n_heads, largest first) and measure how far each output moves from the MHA output.

    The weights are random (scaled by 1/√fan-in), not a trained model's: every K head is
    √shared·(one common matrix) + √(1 − shared)·(its own matrix), and likewise for V, so
    a fraction `shared` of each head's variance is common to all heads (0: unrelated heads,
    1: identical heads, which pool without loss). The error is exactly 0 for G = n_heads and grows
    as more heads are averaged together. With the defaults it is 46 % for GQA-2 and 62 % for
    MQA, close to the median over seeds 0–39 (45 %, 61 %): seed 2 is a typical draw. The
    paper does not stop at the conversion: it uptrains the converted checkpoint (§2.1).
    """
    if not 0.0 <= shared <= 1.0:
        raise ValueError(f"shared must be between 0 and 1, got {shared}")
    if seq < 1:
        raise ValueError(f"need at least one token, got seq={seq}")
    if groups is None:
        groups = [g for g in range(n_heads, 0, -1) if n_heads % g == 0]
    groups = sorted(set(groups), reverse=True)  # mean_pool_kv_heads checks each one
    rng = np.random.default_rng(seed)

    def linear(out: int, fan_in: int) -> np.ndarray:
        return rng.normal(size=(out, fan_in)) / np.sqrt(fan_in)

    def heads_with_a_shared_part() -> np.ndarray:
        common = linear(head_dim, hidden)
        own = linear(n_heads * head_dim, hidden)
        return np.sqrt(shared) * np.tile(common, (n_heads, 1)) + np.sqrt(1 - shared) * own

    wq, wo = linear(n_heads * head_dim, hidden), linear(hidden, n_heads * head_dim)
    wk, wv = heads_with_a_shared_part(), heads_with_a_shared_part()
    x = rng.normal(size=(seq, hidden))
    positions = np.arange(seq)

    def run(k: np.ndarray, v: np.ndarray, n_kv: int) -> np.ndarray:
        return gqa_forward(x[None], wq.T, k.T, v.T, wo.T, n_heads, n_kv, positions)[0]

    mha = run(wk, wv, n_heads)
    converted = []
    for g in groups:
        k, v = (mean_pool_kv_heads(w, n_heads, g, head_dim) for w in (wk, wv))
        out = run(k, v, g)
        error = float(np.linalg.norm(out - mha) / np.linalg.norm(mha))
        converted.append(ConvertedLayer(g, _read_only(k), _read_only(v), _read_only(out), error))
    return ConversionExample(
        n_heads,
        head_dim,
        hidden,
        seed,
        shared,
        *(_read_only(a) for a in (x, wq, wk, wv, wo, mha)),
        converted=tuple(converted),
    )


# ── KV cache table ─────────────────────────────────────────────────────
@dataclass(frozen=True)
class KVCacheRow:
    name: str  # "MHA", "GQA" or "MQA"
    n_kv_heads: int
    bytes_per_token: int
    tokens: tuple[int, ...]
    bytes_at: tuple[int, ...]  # cache size at each entry of `tokens`
    saving: float  # fraction of the MHA cache this variant does not store


def kv_cache_table(model: Model, tokens_list: Sequence[int]) -> list[KVCacheRow]:
    """MHA / GQA / MQA rows for `model`, computed by `Model.kv_cache_bytes`."""
    tokens = tuple(int(t) for t in tokens_list)
    if any(t < 0 for t in tokens):
        raise ValueError(f"token counts must be non-negative, got {tokens}")
    rows = []
    for name, kv in model.attention_variants:
        rows.append(
            KVCacheRow(
                name=name,
                n_kv_heads=kv,
                bytes_per_token=model.kv_cache_bytes(1, n_kv_heads=kv),
                tokens=tokens,
                bytes_at=tuple(model.kv_cache_bytes(t, n_kv_heads=kv) for t in tokens),
                saving=1 - kv / model.n_heads,
            )
        )
    return rows


# ── the heatmap: a previous-token head ─────────────────────────────────
HEATMAP_TOKENS: tuple[str, ...] = ("<bos>", "The", "cat", "sat", "on", "the", "mat")


@dataclass(frozen=True, eq=False)
class HeatmapExample:
    """One causal attention head on a short sentence (arrays are read-only)."""

    tokens: tuple[str, ...]
    weights: np.ndarray  # [n, n] softmax weights: rows are queries, columns keys
    scores: np.ndarray  # [n, n] q·k/√d before the causal mask
    head_dim: int
    offset: int  # the head attends from token i to token i − offset
    rope_base: float
    seed: int


def previous_token_head(
    tokens: Sequence[str] = HEATMAP_TOKENS,
    *,
    offset: int = 1,
    head_dim: int = 64,
    rope_base: float = 10000.0,
    signal: float = 4.0,
    noise: float = 0.35,
    seed: int = 0,
) -> HeatmapExample:
    """Build one attention head whose queries look `offset` tokens back, using RoPE alone.

    Every key carries the same positional vector u before RoPE; every query carries u
    rotated back by `offset` positions (a fixed rotation a learned W_q can express,
    since it commutes with RoPE). After RoPE at positions m and n the score is

        q_m·k_n = u·R((n − m + offset)·θ) u = Σ_i |u_i|² cos((m − n − offset)·θ_i),

    which depends only on m − n and is largest when n = m − offset: every cosine is 1
    there. u puts most of its weight on the fast pairs (|u_i|² ∝ θ_i²), whose cosine
    drops quickly away from that offset; the slow pairs add almost the same amount to
    every score in a row, which the softmax ignores. Each token also adds a small
    content term (seeded random embeddings through random projections, scale `noise`),
    so the picture is not perfectly regular. The causal mask then zeroes every later
    key. `signal` is the positional logit q·k/√d at the target offset.
    """
    tokens = tuple(tokens)
    n = len(tokens)
    if n < 1 or offset < 0:
        raise ValueError(f"need at least one token and offset ≥ 0, got {n} tokens, offset={offset}")
    theta = rope_frequencies(head_dim, rope_base)
    rng = np.random.default_rng(seed)

    # Positional part: |u_i|² ∝ θ_i² on pair i (the fast pairs dominate), a random phase
    # per pair, scaled so that its logit q·k/√d at the target offset is `signal`.
    amp = theta / np.linalg.norm(theta)
    phase = rng.uniform(0, 2 * np.pi, head_dim // 2)
    u = np.empty(head_dim)
    u[0::2], u[1::2] = amp * np.cos(phase), amp * np.sin(phase)
    u *= np.sqrt(signal * np.sqrt(head_dim))

    # Content part: one random embedding per token, projected by small random matrices.
    emb_dim = 32
    emb = rng.normal(size=(n, emb_dim))
    wq_c, wk_c = (rng.normal(size=(emb_dim, head_dim)) * noise / np.sqrt(emb_dim) for _ in "qk")

    k_pre = (u + emb @ wk_c)[None, :, None, :]  # [1, n, 1, d]
    q_shift = rope(np.broadcast_to(u, (1, 1, 1, head_dim)), np.array([-offset]), rope_base)
    q_pre = (q_shift[0, 0, 0] + emb @ wq_c)[None, :, None, :]

    positions = np.arange(n)
    q, k = rope(q_pre, positions, rope_base), rope(k_pre, positions, rope_base)
    _, weights = scaled_dot_product_attention(q, k, np.zeros_like(k), causal=True)
    scores = np.einsum("qd,kd->qk", q[0, :, 0], k[0, :, 0]) / np.sqrt(head_dim)

    weights, scores = weights[0, 0].copy(), scores.copy()
    weights.setflags(write=False)
    scores.setflags(write=False)
    return HeatmapExample(tokens, weights, scores, head_dim, offset, rope_base, seed)


def heatmap_example() -> HeatmapExample:
    """The deck's heatmap: a previous-token head on "<bos> The cat sat on the mat"."""
    return previous_token_head()
