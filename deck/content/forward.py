"""A numpy forward pass, as transformers computes it, up to one layer's attention weights.

For llama, mistral, qwen2, qwen3 and gemma2 (their modeling_<type>.py, eager attention):
the token embeddings (× √hidden for Gemma), then per layer an RMSNorm (Gemma's scales by
1 + weight), the q/k/v projections (with biases where the type has them), an RMSNorm on
each query and key head (qwen3), RoPE on q and k in transformers' convention (the two
halves of each head, `rotate_half`, not interleaved pairs), scores q·kᵀ scaled by
1/√head_dim (Gemma 2: 1/√query_pre_attn_scalar), Gemma 2's tanh logit softcapping, the
causal mask (and the layer's sliding window: key j is seen from query i if i − j < window),
the softmax, repeat_kv's sharing (query head h reads KV head h // group size), the
output projection, the residuals (Gemma 2 also normalises after attention and after the
FFN) and the gated FFN (SwiGLU, GeGLU). A projection's weights are read from the memory
map a block of rows at a time and widened to float64 in cache (a norm's as float32), so
at most one block is widened at once; the activations, RoPE's angles and the softmax
are float64, so the result is the exact math that transformers' float32 run rounds at
about 1e-7 (a reference written apart agrees to 1e-14: tests/test_forward.py).

RoPE scaling: none, linear, llama3 and dynamic (which changes nothing below the original
context length, and the texts here are a few tokens) are computed; yarn and longrope are
refused in one line.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from deck.content.checkpoint import Checkpoint, CheckpointError
from deck.content.model import Model

SUPPORTED_ROPE = ("default", "linear", "dynamic", "llama3")
DEFAULT_EPS = 1e-6  # rms_norm_eps of every supported config class
GEMMA2_SOFTCAP = 50.0  # Gemma2Config.attn_logit_softcapping
GEMMA2_SCALAR = 256  # Gemma2Config.query_pre_attn_scalar
DT = np.float64  # the activations' precision (the weights stay float32 in memory)
# A projection's weights are widened and multiplied this many values at a time: 256 KiB
# as float64 stays in a core's L2 cache. Measured on a 14336 × 4096 bf16 matrix and 12
# tokens: 2^13 values 0.10 s, 2^15 0.07 s, 2^17 0.09 s, the whole tensor at once 1.05 s.
BLOCK_VALUES = 1 << 15


class ForwardError(ValueError):
    """A config or checkpoint the forward pass cannot compute exactly; one line."""


@dataclass(frozen=True)
class Spec:
    """What the forward pass needs beyond `Model`: read from the same config.json."""

    model: Model
    model_type: str
    eps: float
    inv_freq: np.ndarray  # [head_dim/2], after the RoPE scaling
    scaling: float  # the scores' factor
    softcap: float | None
    activation: str

    @property
    def gemma(self) -> bool:
        return self.model_type == "gemma2"

    @property
    def group_size(self) -> int:
        return self.model.n_heads // self.model.n_kv_heads


def _rope_parameters(config: dict[str, Any]) -> dict[str, Any]:
    scaling = config.get("rope_parameters") or config.get("rope_scaling") or {}
    return scaling if isinstance(scaling, dict) else {}


def inverse_frequencies(config: dict[str, Any], head_dim: int, theta: float) -> np.ndarray:
    """transformers' inv_freq for the config's RoPE type (its formulas, in float64)."""
    rope = _rope_parameters(config)
    kind = rope.get("rope_type", rope.get("type", "default"))
    if kind not in SUPPORTED_ROPE:
        raise ForwardError(
            f"RoPE scaling {kind!r}: real attention computes {', '.join(SUPPORTED_ROPE)} only"
        )
    exponents = np.arange(0, head_dim, 2, dtype=np.int64).astype(DT) / head_dim
    inv_freq = 1.0 / (DT(theta) ** exponents)
    if kind == "linear":
        inv_freq = (inv_freq / DT(rope["factor"])).astype(DT)
    elif kind == "llama3":
        factor = float(rope["factor"])
        low, high = float(rope["low_freq_factor"]), float(rope["high_freq_factor"])
        old_len = float(rope["original_max_position_embeddings"])
        low_wavelen, high_wavelen = old_len / low, old_len / high
        wavelen = 2 * math.pi / inv_freq
        scaled = np.where(wavelen > low_wavelen, inv_freq / factor, inv_freq)
        smooth = (old_len / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * scaled / factor + smooth * scaled
        medium = ~(wavelen < high_wavelen) & ~(wavelen > low_wavelen)
        inv_freq = np.where(medium, smoothed, scaled).astype(DT)
    return inv_freq


def spec_for(model: Model, config_path: Path | str) -> Spec:
    """The forward pass's settings for `model`, whose config.json is `config_path`."""
    config = json.loads(Path(config_path).read_text(encoding="utf-8"))
    model_type = config["model_type"]
    gemma = model_type == "gemma2"
    activation = config.get("hidden_activation" if gemma else "hidden_act") or (
        "gelu_pytorch_tanh" if gemma else "silu"
    )
    if activation not in ACTIVATIONS:
        raise ForwardError(f"activation {activation!r} is not one of {', '.join(ACTIVATIONS)}")
    scalar = config.get("query_pre_attn_scalar") or GEMMA2_SCALAR
    softcap = config.get("attn_logit_softcapping", GEMMA2_SOFTCAP) if gemma else None
    return Spec(
        model=model,
        model_type=model_type,
        eps=float(config.get("rms_norm_eps") or DEFAULT_EPS),
        inv_freq=inverse_frequencies(config, model.head_dim, model.rope_base),
        scaling=float(scalar if gemma else model.head_dim) ** -0.5,
        softcap=None if softcap is None else float(softcap),
        activation=activation,
    )


# ── the pieces ────────────────────────────────────────────────────────
def _gelu_tanh(x: np.ndarray) -> np.ndarray:
    c = DT(math.sqrt(2 / math.pi))
    return (0.5 * x * (1 + np.tanh(c * (x + DT(0.044715) * x**3)))).astype(DT)


def _gelu_erf(x: np.ndarray) -> np.ndarray:
    erf = np.vectorize(math.erf, otypes=[np.float64])
    return (0.5 * x * (1 + erf(x / math.sqrt(2)))).astype(DT)


ACTIVATIONS = {
    "silu": lambda x: x * 0.5 * (1 + np.tanh(x / 2)),  # x·sigmoid(x), without exp's overflow
    "gelu_pytorch_tanh": _gelu_tanh,
    "gelu_new": _gelu_tanh,
    "gelu": _gelu_erf,
    "relu": lambda x: np.maximum(x, 0).astype(DT),
}


def rms_norm(x: np.ndarray, weight: np.ndarray, eps: float, gemma: bool) -> np.ndarray:
    weight = weight.astype(DT)  # 1 + weight in float32 would round
    scale = (1 + weight) if gemma else weight
    normed = x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + DT(eps))
    return (normed * scale).astype(DT)


def rotate_half(x: np.ndarray) -> np.ndarray:
    half = x.shape[-1] // 2
    return np.concatenate([-x[..., half:], x[..., :half]], axis=-1)


def rope_tables(spec: Spec, n: int) -> tuple[np.ndarray, np.ndarray]:
    """cos and sin [n, head_dim] for positions 0 … n − 1: cat(freqs, freqs) as transformers."""
    freqs = np.arange(n, dtype=DT)[:, None] * spec.inv_freq[None, :]
    emb = np.concatenate([freqs, freqs], axis=-1)
    return np.cos(emb).astype(DT), np.sin(emb).astype(DT)


def visible(n: int, window: int | None) -> np.ndarray:
    """[n, n] True where query i may see key j: causal, and within the window if any."""
    i, j = np.arange(n)[:, None], np.arange(n)[None, :]
    seen = j <= i
    return seen & (i - j < window) if window is not None else seen


# ── the layer ──────────────────────────────────────────────────────────
class Layer:
    """One layer's tensors, read when asked for and dropped with the object."""

    def __init__(self, ckpt: Checkpoint, index: int):
        self.ckpt, self.prefix = ckpt, f"model.layers.{index}."

    def get(self, name: str) -> np.ndarray:
        return self.ckpt.read(self.prefix + name)

    def has(self, name: str) -> bool:
        return self.prefix + name in self.ckpt.tensors

    def linear(self, x: np.ndarray, name: str) -> np.ndarray:
        """x @ Wᵀ (+ b), W taken a block of output rows at a time (BLOCK_VALUES): each
        output is still one dot product over the whole input, so the sums are unchanged."""
        weight = self.prefix + f"{name}.weight"
        count, width = self.ckpt.shape(weight)
        out = np.empty((x.shape[0], count), dtype=DT)
        for start, block in self.ckpt.row_blocks(weight, BLOCK_VALUES // width):
            out[:, start : start + block.shape[0]] = x @ block.T
        if self.has(f"{name}.bias"):
            out = out + self.get(f"{name}.bias")
        return out.astype(DT)


def _heads(spec: Spec, layer: Layer, x: np.ndarray, cos: np.ndarray, sin: np.ndarray):
    """q [heads, n, d] and k [kv_heads, n, d] after the norms and RoPE."""
    m, n = spec.model, x.shape[0]
    q = layer.linear(x, "self_attn.q_proj").reshape(n, m.n_heads, m.head_dim)
    k = layer.linear(x, "self_attn.k_proj").reshape(n, m.n_kv_heads, m.head_dim)
    if m.qk_norm:
        q = rms_norm(q, layer.get("self_attn.q_norm.weight"), spec.eps, False)
        k = rms_norm(k, layer.get("self_attn.k_norm.weight"), spec.eps, False)
    q, k = q.transpose(1, 0, 2), k.transpose(1, 0, 2)
    q = (q * cos + rotate_half(q) * sin).astype(DT)
    k = (k * cos + rotate_half(k) * sin).astype(DT)
    return q, k


def attention_probabilities(
    spec: Spec, q: np.ndarray, k: np.ndarray, window: int | None
) -> np.ndarray:
    """softmax over keys of each query head [heads, n, n], repeat_kv's sharing applied."""
    k = np.repeat(k, spec.group_size, axis=0)  # query head h reads KV head h // group size
    scores = (q @ k.transpose(0, 2, 1) * DT(spec.scaling)).astype(DT)
    if spec.softcap is not None:
        cap = DT(spec.softcap)
        scores = (np.tanh(scores / cap) * cap).astype(DT)
    scores = np.where(visible(q.shape[1], window), scores, -np.inf)
    shifted = np.exp(scores - scores.max(axis=-1, keepdims=True))
    return (shifted / shifted.sum(axis=-1, keepdims=True)).astype(DT)


def _window(m: Model, index: int) -> int | None:
    return m.layer_windows[index] if m.layer_windows else None


def _layer_forward(spec: Spec, layer: Layer, index: int, h: np.ndarray, cos, sin) -> np.ndarray:
    m, n = spec.model, h.shape[0]
    x = rms_norm(h, layer.get("input_layernorm.weight"), spec.eps, spec.gemma)
    q, k = _heads(spec, layer, x, cos, sin)
    v = layer.linear(x, "self_attn.v_proj").reshape(n, m.n_kv_heads, m.head_dim)
    v = np.repeat(v.transpose(1, 0, 2), spec.group_size, axis=0)
    weights = attention_probabilities(spec, q, k, _window(m, index))
    mixed = (weights @ v).transpose(1, 0, 2).reshape(n, m.n_heads * m.head_dim)
    out = layer.linear(mixed.astype(DT), "self_attn.o_proj")
    if spec.gemma:
        out = rms_norm(out, layer.get("post_attention_layernorm.weight"), spec.eps, True)
        h = h + out
        x = rms_norm(h, layer.get("pre_feedforward_layernorm.weight"), spec.eps, True)
    else:
        h = h + out
        x = rms_norm(h, layer.get("post_attention_layernorm.weight"), spec.eps, False)
    act = ACTIVATIONS[spec.activation]
    gated = act(layer.linear(x, "mlp.gate_proj")) * layer.linear(x, "mlp.up_proj")
    out = layer.linear(gated.astype(DT), "mlp.down_proj")
    if spec.gemma:
        out = rms_norm(out, layer.get("post_feedforward_layernorm.weight"), spec.eps, True)
    return (h + out).astype(DT)


def expected_shapes(spec: Spec, up_to: int) -> dict[str, tuple[int, ...]]:
    """Every tensor the pass reads up to layer `up_to`, with the shape the config implies."""
    m = spec.model
    q_out, kv_out = m.n_heads * m.head_dim, m.n_kv_heads * m.head_dim
    shapes: dict[str, tuple[int, ...]] = {"model.embed_tokens.weight": (m.vocab, m.hidden)}
    for i in range(up_to + 1):
        p = f"model.layers.{i}."
        shapes[p + "input_layernorm.weight"] = (m.hidden,)
        shapes[p + "self_attn.q_proj.weight"] = (q_out, m.hidden)
        shapes[p + "self_attn.k_proj.weight"] = (kv_out, m.hidden)
        if m.qkv_bias:
            shapes[p + "self_attn.q_proj.bias"] = (q_out,)
            shapes[p + "self_attn.k_proj.bias"] = (kv_out,)
        if m.qk_norm:
            shapes[p + "self_attn.q_norm.weight"] = (m.head_dim,)
            shapes[p + "self_attn.k_norm.weight"] = (m.head_dim,)
        if i == up_to:
            break  # the chosen layer's queries and keys are all the pass needs of it
        shapes[p + "self_attn.v_proj.weight"] = (kv_out, m.hidden)
        shapes[p + "self_attn.o_proj.weight"] = (m.hidden, q_out)
        if m.qkv_bias:
            shapes[p + "self_attn.v_proj.bias"] = (kv_out,)
        if m.o_bias:
            shapes[p + "self_attn.o_proj.bias"] = (m.hidden,)
        shapes[p + "post_attention_layernorm.weight"] = (m.hidden,)
        if m.norms_per_layer == 4:
            shapes[p + "pre_feedforward_layernorm.weight"] = (m.hidden,)
            shapes[p + "post_feedforward_layernorm.weight"] = (m.hidden,)
        for name, shape in (("gate", (m.ffn, m.hidden)), ("up", (m.ffn, m.hidden))):
            shapes[p + f"mlp.{name}_proj.weight"] = shape
        shapes[p + "mlp.down_proj.weight"] = (m.hidden, m.ffn)
        if m.mlp_bias:
            for name, size in (("gate", m.ffn), ("up", m.ffn), ("down", m.hidden)):
                shapes[p + f"mlp.{name}_proj.bias"] = (size,)
    return shapes


def check_shapes(spec: Spec, ckpt: Checkpoint, up_to: int) -> None:
    """Every tensor the pass will read is there with the config's shape (headers only)."""
    for name, shape in expected_shapes(spec, up_to).items():
        have = ckpt.shape(name)
        where = ckpt.files[0] if len(ckpt.files) == 1 else ckpt.folder
        if have is None:
            raise CheckpointError(where, f"has no tensor {name}, which the config implies")
        if have != shape:
            raise CheckpointError(
                where,
                f"{name} has shape {list(have)}, but the config implies {list(shape)}",
            )


def group_attention(
    spec: Spec, ckpt: Checkpoint, ids: list[int], layer: int, group: int
) -> np.ndarray:
    """The attention weights [group size, n, n] (rows are queries) of the query
    heads group·s … group·s + s − 1 of layer `layer` for the token ids `ids`."""
    m = spec.model
    if not 0 <= layer < m.n_layers:
        raise ForwardError(
            f"layer {layer} is out of range: the model has layers 0–{m.n_layers - 1}"
        )
    if not 0 <= group < m.n_kv_heads:
        raise ForwardError(
            f"group {group} is out of range: the model has KV groups 0–{m.n_kv_heads - 1}"
        )
    if any(not 0 <= i < m.vocab for i in ids):
        raise ForwardError(f"a token id is outside the vocabulary of {m.vocab:,}")
    check_shapes(spec, ckpt, layer)
    h = ckpt.read("model.embed_tokens.weight", rows=np.asarray(ids)).astype(DT)
    if spec.gemma:
        h = (h * DT(math.sqrt(m.hidden))).astype(DT)
    cos, sin = rope_tables(spec, len(ids))
    for index in range(layer):
        h = _layer_forward(spec, Layer(ckpt, index), index, h, cos, sin)
    chosen = Layer(ckpt, layer)
    x = rms_norm(h, chosen.get("input_layernorm.weight"), spec.eps, spec.gemma)
    q, k = _heads(spec, chosen, x, cos, sin)
    weights = attention_probabilities(spec, q, k, _window(m, layer))
    s = spec.group_size
    return weights[group * s : (group + 1) * s]
