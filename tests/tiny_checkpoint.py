"""Tiny random checkpoints of every supported type, written as transformers lays them out.

A config.json, the weights (one model.safetensors, or two shards and their index; float32,
or bfloat16 written byte by byte since numpy has none) and a tokenizer.json built with
`tokenizers`. `write_checkpoint` returns the float32 values of what it wrote (bfloat16 values
widened), for a reference to compute from without the deck's reader.
"""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy as np
from safetensors.numpy import save_file
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers

TYPES = ("llama", "mistral", "qwen2", "qwen3", "gemma2")
WORDS = ("The", "cat", "sat", "on", "the", "mat", "a", "dog", "ran", "far", "and", ".")
HIDDEN, HEADS, KV_HEADS, HEAD_DIM, FFN, LAYERS = 64, 8, 2, 16, 96, 3


def config_for(model_type: str, **extra) -> dict:
    config = {
        "model_type": model_type,
        "hidden_size": HIDDEN,
        "num_attention_heads": HEADS,
        "num_key_value_heads": KV_HEADS,
        "head_dim": HEAD_DIM,
        "intermediate_size": FFN,
        "num_hidden_layers": LAYERS,
        "vocab_size": len(WORDS) + 2,
        "max_position_embeddings": 4096,
        "rms_norm_eps": 1e-6,
        "rope_theta": 10000.0,
        "torch_dtype": "bfloat16",
        "tie_word_embeddings": False,
        "_name_or_path": f"tiny-{model_type}",
    }
    if model_type == "mistral":
        config["sliding_window"] = 3  # shorter than the texts: the window shows
    if model_type == "qwen2":
        config.update(use_sliding_window=False)
    if model_type == "qwen3":
        config.update(use_sliding_window=False)
    if model_type == "gemma2":
        config.update(
            sliding_window=4,
            query_pre_attn_scalar=HEAD_DIM,
            attn_logit_softcapping=50.0,
            hidden_activation="gelu_pytorch_tanh",
            tie_word_embeddings=True,
        )
    if model_type == "llama":
        config["rope_scaling"] = {
            "rope_type": "llama3",
            "factor": 8.0,
            "low_freq_factor": 1.0,
            "high_freq_factor": 4.0,
            "original_max_position_embeddings": 8,  # tiny, so that the scaling bites here
        }
    config.update(extra)
    return config


def tensors_for(config: dict, seed: int = 0) -> dict[str, np.ndarray]:
    """Random weights with the names and shapes transformers gives the type."""
    rng = np.random.default_rng(seed)
    t = config["model_type"]
    h, ffn = config["hidden_size"], config["intermediate_size"]
    q_out = config["num_attention_heads"] * config["head_dim"]
    kv_out = config["num_key_value_heads"] * config["head_dim"]

    def w(*shape: int, scale: float = 1.0) -> np.ndarray:
        return (rng.normal(size=shape) * scale / np.sqrt(shape[-1])).astype(np.float32)

    def norm(n: int) -> np.ndarray:
        base = 0.0 if t == "gemma2" else 1.0  # Gemma scales by 1 + weight
        return (base + rng.normal(size=n) * 0.2).astype(np.float32)

    out = {"model.embed_tokens.weight": w(config["vocab_size"], h, scale=8.0)}
    for i in range(config["num_hidden_layers"]):
        p = f"model.layers.{i}."
        out[p + "input_layernorm.weight"] = norm(h)
        out[p + "post_attention_layernorm.weight"] = norm(h)
        out[p + "self_attn.q_proj.weight"] = w(q_out, h, scale=3.0)
        out[p + "self_attn.k_proj.weight"] = w(kv_out, h, scale=3.0)
        out[p + "self_attn.v_proj.weight"] = w(kv_out, h)
        out[p + "self_attn.o_proj.weight"] = w(h, q_out)
        out[p + "mlp.gate_proj.weight"] = w(ffn, h)
        out[p + "mlp.up_proj.weight"] = w(ffn, h)
        out[p + "mlp.down_proj.weight"] = w(h, ffn)
        if t == "qwen2":
            for name, n in (("q", q_out), ("k", kv_out), ("v", kv_out)):
                out[p + f"self_attn.{name}_proj.bias"] = (rng.normal(size=n) * 0.5).astype(
                    np.float32
                )
        if t == "qwen3":
            out[p + "self_attn.q_norm.weight"] = norm(config["head_dim"])
            out[p + "self_attn.k_norm.weight"] = norm(config["head_dim"])
        if t == "gemma2":
            out[p + "pre_feedforward_layernorm.weight"] = norm(h)
            out[p + "post_feedforward_layernorm.weight"] = norm(h)
    out["model.norm.weight"] = norm(h)
    if not config["tie_word_embeddings"]:
        out["lm_head.weight"] = w(config["vocab_size"], h)
    return out


def bf16_bits(x: np.ndarray) -> np.ndarray:
    """float32 → bfloat16 bits, rounding to nearest even (as torch's .to(bfloat16))."""
    bits = x.astype(np.float32).view(np.uint32).astype(np.uint64)
    rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16
    return rounded.astype(np.uint16)


def widened(bits: np.ndarray) -> np.ndarray:
    return (bits.astype(np.uint32) << 16).view(np.float32)


def save_bf16(tensors: dict[str, np.ndarray], path: Path) -> None:
    """A safetensors file of BF16 tensors, laid out by the format's spec (numpy cannot)."""
    header, chunks, offset = {}, [], 0
    for name in sorted(tensors):
        data = bf16_bits(tensors[name]).tobytes()
        header[name] = {
            "dtype": "BF16",
            "shape": list(tensors[name].shape),
            "data_offsets": [offset, offset + len(data)],
        }
        chunks.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * (-len(raw) % 8)  # the data starts 8-byte aligned
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + b"".join(chunks))


def word_tokenizer() -> Tokenizer:
    """Whole words, and a <bos> the post-processor puts first (as Llama's tokenizer does)."""
    vocab = {"<bos>": 0, "<unk>": 1, **{w: i + 2 for i, w in enumerate(WORDS)}}
    tok = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.add_special_tokens(["<bos>"])
    tok.post_processor = processors.TemplateProcessing(
        single="<bos> $A", special_tokens=[("<bos>", 0)]
    )
    return tok


def bpe_tokenizer(kind: str, vocab_size: int) -> Tokenizer:
    """A BPE trained on a few sentences: byte-level (Ġ word starts, as GPT-2 and Llama 3)
    or metaspace (▁ word starts, as SentencePiece)."""
    tok = Tokenizer(models.BPE())
    if kind == "byte-level":
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
        tok.decoder = decoders.ByteLevel()
        alphabet = pre_tokenizers.ByteLevel.alphabet()
    else:
        tok.pre_tokenizer = pre_tokenizers.Metaspace()
        tok.decoder = decoders.Metaspace()
        alphabet = []
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, initial_alphabet=alphabet)
    corpus = ["The cat sat on the mat.", "The dog ran far and the cat sat.", "a mat\nthe dog"]
    tok.train_from_iterator(corpus * 4, trainer)
    return tok


def write_checkpoint(
    folder: Path,
    model_type: str,
    *,
    dtype: str = "bfloat16",
    sharded: bool = False,
    tokenizer: Tokenizer | None = None,
    seed: int = 0,
    **extra,
) -> dict[str, np.ndarray]:
    """Write a tiny checkpoint into `folder`; return its weights as the file holds them."""
    folder.mkdir(parents=True, exist_ok=True)
    tok = tokenizer or word_tokenizer()
    config = config_for(model_type, torch_dtype=dtype, vocab_size=tok.get_vocab_size(), **extra)
    (folder / "config.json").write_text(json.dumps(config))
    tok.save(str(folder / "tokenizer.json"))
    tensors = tensors_for(config, seed)
    names = sorted(tensors)
    parts = [names[: len(names) // 2], names[len(names) // 2 :]] if sharded else [names]
    files = (
        [f"model-{i + 1:05d}-of-{len(parts):05d}.safetensors" for i in range(len(parts))]
        if sharded
        else ["model.safetensors"]
    )
    for part, file in zip(parts, files, strict=True):
        chosen = {n: tensors[n] for n in part}
        if dtype == "bfloat16":
            save_bf16(chosen, folder / file)
        else:
            save_file(chosen, str(folder / file))
    if sharded:
        weight_map = {n: f for part, f in zip(parts, files, strict=True) for n in part}
        index = {"metadata": {}, "weight_map": weight_map}
        (folder / "model.safetensors.index.json").write_text(json.dumps(index))
    if dtype == "bfloat16":
        return {n: widened(bf16_bits(a)) for n, a in tensors.items()}
    return tensors
