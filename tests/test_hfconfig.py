"""deck.content.hfconfig: published config.json files give the published parameter counts, checked
again by laying out every tensor transformers would create; the KV cache is recomputed
layer by layer from the raw JSON; every file the deck cannot model is one line naming it."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from deck.content.hfconfig import ConfigError, load_config, slug

CONFIGS = Path(__file__).parent / "data" / "configs"
MiB, GiB = 2**20, 2**30

# Published totals (../shared/notes/facts.md), written out as literals.
PUBLISHED = {
    "Meta-Llama-3-8B": 8_030_261_248,
    "Mistral-7B-v0.1": 7_241_732_096,
    "Qwen2.5-7B": 7_615_616_512,
    "Qwen3-4B": 4_022_468_096,
    "gemma-2-9b": 9_241_705_984,
    # meta-llama/Llama-2-70b-hf: its safetensors index's total_size, 137,953,296,384 bytes
    # of float16, halved
    "Llama-2-70b-hf": 68_976_648_192,
}
BYTES = {"bfloat16": 2, "float16": 2, "float32": 4}


def raw(folder: str) -> dict:
    return json.loads((CONFIGS / folder / "config.json").read_text())


def write(tmp_path: Path, config: dict | str, folder: str = "some-model") -> Path:
    path = tmp_path / folder / "config.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(config if isinstance(config, str) else json.dumps(config))
    return path


# ── an independent count: every tensor of transformers' modules, by name ──
def tensor_shapes(c: dict) -> dict[str, tuple[int, ...]]:
    """Parameter shapes as modeling_{llama,mistral,qwen2,qwen3,gemma2}.py create them."""
    kind = c["model_type"]
    d, heads, ffn = c["hidden_size"], c["num_attention_heads"], c["intermediate_size"]
    kv = c.get("num_key_value_heads") or heads
    hd = c.get("head_dim") or d // heads
    attention_bias = c.get("attention_bias", False)
    qkv_bias = {"qwen2": True, "mistral": False}.get(kind, attention_bias)
    o_bias = {"qwen2": False, "mistral": False}.get(kind, attention_bias)
    mlp_bias = kind == "llama" and c.get("mlp_bias", False)
    norms = ["input_layernorm", "post_attention_layernorm"]
    if kind == "gemma2":
        norms += ["pre_feedforward_layernorm", "post_feedforward_layernorm"]
    shapes = {"model.embed_tokens.weight": (c["vocab_size"], d), "model.norm.weight": (d,)}
    for i in range(c["num_hidden_layers"]):
        layer = f"model.layers.{i}."
        projections = {
            "self_attn.q_proj": (heads * hd, d, qkv_bias),
            "self_attn.k_proj": (kv * hd, d, qkv_bias),
            "self_attn.v_proj": (kv * hd, d, qkv_bias),
            "self_attn.o_proj": (d, heads * hd, o_bias),
            "mlp.gate_proj": (ffn, d, mlp_bias),
            "mlp.up_proj": (ffn, d, mlp_bias),
            "mlp.down_proj": (d, ffn, mlp_bias),
        }
        for module, (out_features, in_features, bias) in projections.items():
            shapes[layer + module + ".weight"] = (out_features, in_features)  # nn.Linear
            if bias:
                shapes[layer + module + ".bias"] = (out_features,)
        for norm in norms:
            shapes[layer + norm + ".weight"] = (d,)
        if kind == "qwen3":
            shapes[layer + "self_attn.q_norm.weight"] = (hd,)
            shapes[layer + "self_attn.k_norm.weight"] = (hd,)
    if not c.get("tie_word_embeddings", kind == "gemma2"):
        shapes["lm_head.weight"] = (c["vocab_size"], d)
    return shapes


def counted(c: dict) -> int:
    return sum(math.prod(shape) for shape in tensor_shapes(c).values())


def kept_per_layer(c: dict, tokens: int) -> list[int]:
    """Tokens each layer's cache holds (Mistral: every layer rolls; Gemma 2: even layers)."""
    n, kind = c["num_hidden_layers"], c["model_type"]
    window = c.get("sliding_window")
    if kind == "mistral" and window:
        return [min(tokens, window)] * n
    if kind == "gemma2":
        return [min(tokens, window) if i % 2 == 0 else tokens for i in range(n)]
    if kind in ("qwen2", "qwen3") and c.get("use_sliding_window"):
        first = c["max_window_layers"]
        return [min(tokens, window) if i >= first else tokens for i in range(n)]
    return [tokens] * n


def kv_bytes(c: dict, tokens: int, kv: int | None = None) -> int:
    kv = kv or c.get("num_key_value_heads") or c["num_attention_heads"]
    hd = c.get("head_dim") or c["hidden_size"] // c["num_attention_heads"]
    per_layer_token = 2 * kv * hd * BYTES[c["torch_dtype"]]  # K and V
    return per_layer_token * sum(kept_per_layer(c, tokens))


# ── the shipped configs ─────────────────────────────────────────────────
@pytest.mark.parametrize("folder", list(PUBLISHED))
def test_published_parameter_counts(folder):
    m = load_config(CONFIGS / folder / "config.json")
    assert m.params() == PUBLISHED[folder]
    assert counted(raw(folder)) == PUBLISHED[folder]
    assert sum(m.param_breakdown().values()) == PUBLISHED[folder]


@pytest.mark.parametrize("folder", list(PUBLISHED))
def test_kv_cache_matches_a_layer_by_layer_count(folder):
    c, m = raw(folder), load_config(CONFIGS / folder / "config.json")
    for tokens in (1, 100, 4096, 4097, 32_768, m.max_len):
        for kv in (None, 1, c["num_attention_heads"]):
            assert m.kv_cache_bytes(tokens, kv) == kv_bytes(c, tokens, kv)


def test_shapes_read_from_the_files():
    llama = load_config(CONFIGS / "Meta-Llama-3-8B" / "config.json")
    assert (llama.n_heads, llama.n_kv_heads, llama.head_dim, llama.group_size) == (32, 8, 128, 4)
    assert (llama.max_len, llama.rope_base, llama.dtype, llama.tie_embeddings) == (
        8192,
        500_000.0,
        "bfloat16",
        False,
    )
    qwen3 = load_config(CONFIGS / "Qwen3-4B" / "config.json")
    assert (qwen3.hidden, qwen3.q_out, qwen3.kv_out) == (2560, 4096, 1024)  # 32 × 128 ≠ 2560
    assert qwen3.qk_norm and qwen3.tie_embeddings and not qwen3.qkv_bias
    qwen2 = load_config(CONFIGS / "Qwen2.5-7B" / "config.json")
    assert qwen2.qkv_bias and not qwen2.o_bias and qwen2.layer_windows == ()  # no sliding
    assert qwen2.param_breakdown()["attention biases"] == 28 * (28 * 128 + 2 * 4 * 128)
    gemma = load_config(CONFIGS / "gemma-2-9b" / "config.json")
    assert (gemma.norms_per_layer, gemma.ffn_kind, gemma.dtype) == (4, "GeGLU", "float32")


def test_mistral_keeps_at_most_its_window():
    m = load_config(CONFIGS / "Mistral-7B-v0.1" / "config.json")
    assert (m.sliding_window, m.sliding_layers) == (4096, 32)
    per_token = 2 * 32 * 8 * 128 * 2  # K and V, 32 layers, 8 KV heads × 128, bfloat16
    assert m.kv_cache_bytes(1) == per_token == 128 * 1024
    assert m.kv_cache_bytes(4096) == 512 * MiB
    assert m.kv_cache_bytes(32_768) == 512 * MiB  # not 4 GiB: the cache rolls at 4,096
    assert m.kv_cache_bytes(32_768, 32) == 2 * GiB  # MHA, same window


def test_gemma2_alternates_window_and_full_layers():
    m = load_config(CONFIGS / "gemma-2-9b" / "config.json")
    assert m.layer_windows[:4] == (4096, None, 4096, None) and m.sliding_layers == 21
    per_layer_token = 2 * 8 * 256 * 4  # float32
    assert m.kv_cache_bytes(8192) == per_layer_token * (21 * 4096 + 21 * 8192)


# ── what a missing or optional field means ──────────────────────────────
def variant(folder: str, tmp_path: Path, drop: tuple[str, ...] = (), **changes) -> tuple:
    c = {k: v for k, v in raw(folder).items() if k not in drop} | changes
    return c, load_config(write(tmp_path, c))


def test_missing_kv_heads_is_mha_for_llama(tmp_path):
    c, m = variant("Meta-Llama-3-8B", tmp_path, drop=("num_key_value_heads",))
    assert m.n_kv_heads == 32 and m.group_size == 1
    assert m.params() == counted(c) == PUBLISHED["Meta-Llama-3-8B"] + 32 * 2 * 4096 * 3072


def test_missing_kv_heads_is_mha_where_transformers_agrees(tmp_path):
    # Qwen3Config defaults num_key_value_heads to 32: with 32 query heads that is MHA too.
    _, m = variant("Qwen3-4B", tmp_path, drop=("num_key_value_heads",))
    assert m.n_kv_heads == 32


def test_llama_biases(tmp_path):
    c, m = variant("Meta-Llama-3-8B", tmp_path, attention_bias=True, mlp_bias=True)
    assert m.qkv_bias and m.o_bias and m.mlp_bias  # modeling_llama: o_proj takes the bias too
    assert m.params() == counted(c)
    assert m.params() - PUBLISHED["Meta-Llama-3-8B"] == 32 * (
        (4096 + 2 * 1024) + 4096 + (2 * 14336 + 4096)
    )


def test_qwen3_attention_bias_covers_all_four_projections(tmp_path):
    c, m = variant("Qwen3-4B", tmp_path, attention_bias=True)
    assert m.params() - PUBLISHED["Qwen3-4B"] == 36 * (4096 + 1024 + 1024 + 2560)
    assert m.params() == counted(c)


def test_mistral_without_a_window(tmp_path):
    c, m = variant("Mistral-7B-v0.1", tmp_path, sliding_window=None)  # v0.2 writes null
    assert m.sliding_window is None and m.kv_cache_bytes(32_768) == 4 * GiB == kv_bytes(c, 32_768)
    _, absent = variant("Mistral-7B-v0.1", tmp_path, drop=("sliding_window",))
    assert absent.sliding_window == 4096  # MistralConfig's default


def test_qwen_sliding_window_after_the_full_layers(tmp_path):
    c, m = variant(
        "Qwen2.5-7B", tmp_path, use_sliding_window=True, sliding_window=4096, max_window_layers=20
    )
    assert m.layer_windows == (None,) * 20 + (4096,) * 8
    assert m.kv_cache_bytes(131_072) == kv_bytes(c, 131_072)


def test_explicit_layer_types(tmp_path):
    types = ["full_attention", "sliding_attention"] * 21
    _, m = variant("gemma-2-9b", tmp_path, layer_types=types)
    assert m.layer_windows[:2] == (None, 4096) and m.sliding_layers == 21


def test_rope_scaling_changes_no_count(tmp_path):
    scaling = {
        "factor": 8.0,
        "low_freq_factor": 1.0,
        "high_freq_factor": 4.0,
        "original_max_position_embeddings": 8192,
        "rope_type": "llama3",
    }
    _, m = variant("Meta-Llama-3-8B", tmp_path, rope_scaling=scaling)
    assert m.rope_scaling == "llama3" and m.params() == PUBLISHED["Meta-Llama-3-8B"]
    _, legacy = variant("Meta-Llama-3-8B", tmp_path, rope_scaling={"type": "linear", "factor": 2})
    assert legacy.rope_scaling == "linear"


def test_transformers_5_field_names(tmp_path):
    _, m = variant(
        "Qwen3-4B",
        tmp_path,
        drop=("torch_dtype", "rope_theta"),
        dtype="bfloat16",
        rope_parameters={"rope_theta": 1_000_000.0, "rope_type": "default"},
    )
    assert (m.dtype, m.rope_base, m.rope_scaling) == ("bfloat16", 1_000_000.0, "")


# ── names ───────────────────────────────────────────────────────────────
def test_a_model_folder_stands_for_its_config():
    m = load_config(CONFIGS / "Qwen3-4B")
    assert (m.title, m.params()) == ("Qwen3-4B", PUBLISHED["Qwen3-4B"])
    assert m.source == str(CONFIGS / "Qwen3-4B" / "config.json")


def test_title_from_name_then_name_or_path_then_folder(tmp_path):
    c = raw("Qwen3-4B")
    path = write(tmp_path, c | {"_name_or_path": "Qwen/Qwen3-4B-Base"}, folder="downloads")
    assert load_config(path, name="Our Qwen3 (4B)").title == "Our Qwen3 (4B)"
    assert load_config(path, name="Our Qwen3 (4B)").name == "our-qwen3-4b"
    assert load_config(path).title == "Qwen3-4B-Base"
    assert load_config(write(tmp_path, c, folder="my-4b")).title == "my-4b"
    snapshot = "hub/models--Qwen--Qwen3-4B/snapshots/1cfa9a7208912126459214e8b04321603b3df60c"
    assert load_config(write(tmp_path, c, folder=snapshot)).title == "Qwen3-4B"


@pytest.mark.parametrize(
    ("title", "name"),
    [
        ("Qwen2.5-7B", "qwen2.5-7b"),
        ("Meta-Llama-3-8B", "meta-llama-3-8b"),
        ("My model / v2!", "my-model-v2"),
        ("..secret..", "secret"),
        ("a..b", "a.b"),
    ],
)
def test_slug_is_safe_for_file_names(title, name):
    assert slug(title) == name


# ── everything else: one line naming the file and the reason ────────────
def qwen3(**changes) -> dict:
    return raw("Qwen3-4B") | changes


REJECTED = {
    "truncated": ('{"model_type": "llama", "hidden_size": 40', "not valid JSON"),
    "not an object": ("[1, 2, 3]", "not an object"),
    "NaN": (json.dumps(qwen3()).replace('"rope_theta": 1000000', '"rope_theta": NaN'), "NaN"),
    "unknown type": (qwen3(model_type="gpt_neox"), "model_type 'gpt_neox' is not supported"),
    "no type": ({k: v for k, v in qwen3().items() if k != "model_type"}, "'model_type'"),
    "no hidden size": ({k: v for k, v in qwen3().items() if k != "hidden_size"}, "hidden_size"),
    "no dtype": ({k: v for k, v in qwen3().items() if k != "torch_dtype"}, "torch_dtype"),
    "string size": (
        qwen3(hidden_size="2560"),
        'hidden_size must be a positive integer, got "2560"',
    ),
    "float size": (qwen3(num_hidden_layers=36.0), "num_hidden_layers must be a positive integer"),
    "bool size": (qwen3(num_key_value_heads=True), "num_key_value_heads must be a positive"),
    "zero size": (qwen3(vocab_size=0), "vocab_size must be a positive integer, got 0"),
    "string flag": (qwen3(tie_word_embeddings="yes"), "tie_word_embeddings must be true or false"),
    "int8 weights": (qwen3(torch_dtype="int8"), "torch_dtype 'int8' is not one of"),
    "mixtral": (qwen3(model_type="mixtral", num_local_experts=8), "mixture-of-experts"),
    "qwen3 moe": (qwen3(model_type="qwen3_moe", num_experts=128), "mixture-of-experts"),
    "moe in a dense type": (qwen3(num_experts=8), "mixture-of-experts"),
    "deepseek mla": (qwen3(model_type="deepseek_v3", kv_lora_rank=512), "latent attention"),
    "quantized": (qwen3(quantization_config={"quant_method": "awq"}), "quantized"),
    "kv not dividing": (qwen3(num_key_value_heads=5), "n_heads=32 is not divisible by"),
    "odd head dim": (qwen3(head_dim=127), "even head_dim, got 127"),
    "missing head dim": (
        {k: v for k, v in qwen3().items() if k != "head_dim"},
        "missing field 'head_dim': transformers' qwen3 default is 128",
    ),
    "missing kv, not mha": (
        {k: v for k, v in raw("Mistral-7B-v0.1").items() if k != "num_key_value_heads"},
        "default is 8, not MHA (32)",
    ),
    "rope type": (qwen3(rope_scaling={"rope_type": "mrope"}), 'rope scaling type "mrope"'),
    "rope not a dict": (qwen3(rope_scaling="yarn"), "rope_scaling must be an object"),
    "layer types": (
        qwen3(use_sliding_window=True, sliding_window=4096, layer_types=["full_attention"] * 3),
        "layer_types has 3 entries for 36 layers",
    ),
    "gemma scale": (raw("gemma-2-9b") | {"query_pre_attn_scalar": 144}, "query_pre_attn_scalar"),
}


@pytest.mark.parametrize("case", list(REJECTED))
def test_rejected_configs_say_why_in_one_line_naming_the_file(case, tmp_path):
    content, reason = REJECTED[case]
    path = write(tmp_path, content)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    message = str(info.value)
    assert message.startswith(f"{path}: ") and "\n" not in message
    assert reason in message


def test_files_that_cannot_be_read(tmp_path):
    bad_bytes = tmp_path / "latin1" / "config.json"
    bad_bytes.parent.mkdir()
    bad_bytes.write_bytes(b'{"model_type": "\xe9"}')
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"\0" * (2**20 + 1))
    for path, reason in (
        (tmp_path / "nope.json", "no such file"),
        (tmp_path, "is a folder without a config.json"),
        (bad_bytes, "not UTF-8"),
        (weights, "too large for a config.json"),
    ):
        with pytest.raises(ConfigError, match=reason) as info:
            load_config(path)
        assert str(info.value).startswith(str(path)) and "\n" not in str(info.value)


def test_names_that_cannot_name_a_build(tmp_path):
    path = write(tmp_path, qwen3())
    with pytest.raises(ConfigError, match="give --name"):
        load_config(path, name="///")
    with pytest.raises(ConfigError, match="'llama-3-8b' is a preset's name"):
        load_config(path, name="Llama 3 8B")
