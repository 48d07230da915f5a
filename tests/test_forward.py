"""The numpy forward pass against an independent reference, for every supported type.

The reference is written apart from deck/content/forward.py: float64, one token and one
head at a time, RoPE as an explicit rotation of each (i, i + d/2) pair, the weights taken
from what the test wrote (not through the deck's reader), each type's rules spelt out
from transformers' modeling_<type>.py again.
"""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from deck.content.checkpoint import Checkpoint
from deck.content.forward import ForwardError, group_attention, spec_for
from deck.content.hfconfig import load_config
from tests.tiny_checkpoint import TYPES, write_checkpoint

TOLERANCE = 1e-6
TEXT_IDS = [0, 2, 3, 4, 5, 6, 7, 2, 3]  # <bos> The cat sat on the mat The cat


def reference_inv_freq(config: dict) -> list[float]:
    d = config["head_dim"]
    base = config["rope_theta"]
    freqs = [base ** (-(2 * i) / d) for i in range(d // 2)]
    rope = config.get("rope_scaling") or {}
    if rope.get("rope_type") == "llama3":
        factor, lo, hi = rope["factor"], rope["low_freq_factor"], rope["high_freq_factor"]
        old = rope["original_max_position_embeddings"]
        out = []
        for f in freqs:
            wavelen = 2 * math.pi / f
            if wavelen < old / hi:
                out.append(f)
            elif wavelen > old / lo:
                out.append(f / factor)
            else:
                smooth = (old / wavelen - lo) / (hi - lo)
                out.append((1 - smooth) * f / factor + smooth * f)
        freqs = out
    return freqs


def reference_attention(config: dict, w: dict, ids: list[int], layer: int) -> np.ndarray:
    """Every query head's weights [heads, n, n] at `layer`, in float64."""
    t = config["model_type"]
    gemma = t == "gemma2"
    hidden, d = config["hidden_size"], config["head_dim"]
    n_heads, n_kv = config["num_attention_heads"], config["num_key_value_heads"]
    eps = config["rms_norm_eps"]
    W = {k: v.astype(np.float64) for k, v in w.items()}
    inv = reference_inv_freq(config)

    def norm(x, weight):
        rms = math.sqrt(sum(float(v) * float(v) for v in x) / len(x) + eps)
        return np.array(
            [x[i] / rms * ((1 + weight[i]) if gemma else weight[i]) for i in range(len(x))]
        )

    def rotate(vec, pos):
        out = vec.copy()
        half = d // 2
        for i in range(half):
            a, b = vec[i], vec[i + half]
            c, s = math.cos(pos * inv[i]), math.sin(pos * inv[i])
            out[i], out[i + half] = a * c - b * s, b * c + a * s
        return out

    def window_of(i):
        if t == "mistral":
            return config["sliding_window"]
        if gemma:
            return config["sliding_window"] if i % 2 == 0 else None
        return None

    def proj(name, x, p):
        y = W[p + name + ".weight"] @ x
        return y + W[p + name + ".bias"] if p + name + ".bias" in W else y

    n = len(ids)
    states = [
        W["model.embed_tokens.weight"][i] * (math.sqrt(hidden) if gemma else 1.0) for i in ids
    ]
    for li in range(layer + 1):
        p = f"model.layers.{li}."
        xs = [norm(s, W[p + "input_layernorm.weight"]) for s in states]
        qs, ks, vs = [], [], []
        for pos, x in enumerate(xs):
            q = proj("self_attn.q_proj", x, p).reshape(n_heads, d)
            k = proj("self_attn.k_proj", x, p).reshape(n_kv, d)
            if t == "qwen3":
                q = np.array([norm(h, W[p + "self_attn.q_norm.weight"]) for h in q])
                k = np.array([norm(h, W[p + "self_attn.k_norm.weight"]) for h in k])
            qs.append([rotate(h, pos) for h in q])
            ks.append([rotate(h, pos) for h in k])
            vs.append(proj("self_attn.v_proj", x, p).reshape(n_kv, d))
        scale = (config["query_pre_attn_scalar"] if gemma else d) ** -0.5
        probs = np.zeros((n_heads, n, n))
        for head in range(n_heads):
            kv = head // (n_heads // n_kv)
            for i in range(n):
                row = []
                for j in range(i + 1):
                    s = float(np.dot(qs[i][head], ks[j][kv])) * scale
                    if gemma:
                        cap = config["attn_logit_softcapping"]
                        s = math.tanh(s / cap) * cap
                    window = window_of(li)
                    row.append(s if window is None or i - j < window else -math.inf)
                top = max(row)
                e = [math.exp(s - top) for s in row]
                for j, v in enumerate(e):
                    probs[head, i, j] = v / sum(e)
        if li == layer:
            return probs
        new_states = []
        for i in range(n):
            mixed = np.concatenate(
                [
                    sum(probs[h, i, j] * vs[j][h // (n_heads // n_kv)] for j in range(n))
                    for h in range(n_heads)
                ]
            )
            out = proj("self_attn.o_proj", mixed, p)
            if gemma:
                out = norm(out, W[p + "post_attention_layernorm.weight"])
                s = states[i] + out
                x = norm(s, W[p + "pre_feedforward_layernorm.weight"])
            else:
                s = states[i] + out
                x = norm(s, W[p + "post_attention_layernorm.weight"])
            g, u = W[p + "mlp.gate_proj.weight"] @ x, W[p + "mlp.up_proj.weight"] @ x
            if gemma:
                act = [
                    0.5 * v * (1 + math.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v**3)))
                    for v in g
                ]
            else:
                act = [v / (1 + math.exp(-v)) for v in g]
            f = W[p + "mlp.down_proj.weight"] @ (np.array(act) * u)
            if gemma:
                f = norm(f, W[p + "post_feedforward_layernorm.weight"])
            new_states.append(s + f)
        states = new_states
    raise AssertionError("unreachable")


def deck_weights(folder, layer, group):
    model = load_config(folder)
    spec = spec_for(model, model.source)
    return group_attention(spec, Checkpoint(folder), TEXT_IDS, layer, group)


@pytest.mark.parametrize("dtype", ["bfloat16", "float32"])
@pytest.mark.parametrize("model_type", TYPES)
def test_forward_matches_the_reference(tmp_path, model_type, dtype):
    written = write_checkpoint(tmp_path, model_type, dtype=dtype, sharded=dtype == "bfloat16")
    config = json.loads((tmp_path / "config.json").read_text())
    s = config["num_attention_heads"] // config["num_key_value_heads"]
    worst = 0.0
    for layer in range(config["num_hidden_layers"]):
        ref = reference_attention(config, written, TEXT_IDS, layer)
        for group in range(config["num_key_value_heads"]):
            got = deck_weights(tmp_path, layer, group)
            assert got.shape == (s, len(TEXT_IDS), len(TEXT_IDS))
            worst = max(worst, float(np.abs(got - ref[group * s : (group + 1) * s]).max()))
    assert worst < TOLERANCE, f"{model_type} {dtype}: max |Δ| = {worst:.2e}"
    print(f"{model_type} {dtype}: max |Δ| = {worst:.2e}")


def test_the_weights_are_not_trivial(tmp_path):
    """Random weights that gave uniform rows would make the comparison weak."""
    write_checkpoint(tmp_path, "llama")
    w = deck_weights(tmp_path, 2, 1)
    assert w.max() > 0.5 and np.abs(w[0] - w[1]).max() > 0.05  # peaked, and heads differ


def test_mistral_window_zeroes_keys_beyond_it(tmp_path):
    write_checkpoint(tmp_path, "mistral")
    w = deck_weights(tmp_path, 1, 0)
    i, j = np.indices(w.shape[1:])
    assert np.all(w[:, (i - j) >= 3] == 0) and np.all(w[:, j > i] == 0)
    assert np.allclose(w.sum(axis=-1), 1, atol=1e-6)


def test_unsupported_rope_scaling_is_refused(tmp_path):
    write_checkpoint(tmp_path, "llama", rope_scaling={"rope_type": "yarn", "factor": 4.0})
    model = load_config(tmp_path)
    with pytest.raises(ForwardError, match="RoPE scaling 'yarn'"):
        spec_for(model, model.source)
