"""A `Model` from a Hugging Face transformers config.json: plain JSON, no network, no transformers.

Supported, exactly, are the model types whose modules are listed in `ARCHITECTURES`
(what transformers' modeling_<type>.py creates for them). A field a config leaves out
means what transformers' config class would default it to; where that default is not
what the deck's rule says (a missing num_key_value_heads is MHA, a missing head_dim is
hidden // heads) the file is rejected rather than read two ways.

RoPE scaling (`rope_scaling` / `rope_parameters`: linear, dynamic, yarn, longrope,
llama3) changes how positions are rotated, not which tensors exist or what the cache
holds: parameter and KV-cache counts ignore it, and its type is kept for display. Any
other type is rejected. Everything the deck cannot model exactly (mixture of experts,
latent attention, quantized weights, unknown types, missing or mistyped fields,
inconsistent shapes) raises `ConfigError`, whose message is one line naming the file.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from deck import theme
from deck.content.model import PRESETS, Model, preset_name
from deck.failure import ConfigError
from deck.system.characters import refusal
from deck.system.textfile import nesting, read_text

# Keys that only mixture-of-experts configs carry (Mixtral, Qwen2/3-MoE, DeepSeek, …).
MOE_KEYS = ("num_local_experts", "num_experts", "n_routed_experts", "moe_intermediate_size")
# Keys of multi-head latent attention (DeepSeek-V2/V3): its cache is a latent, not K/V heads.
MLA_KEYS = ("kv_lora_rank", "q_lora_rank", "qk_rope_head_dim", "qk_nope_head_dim")
# RoPE variants of transformers' ROPE_INIT_FUNCTIONS: they rescale frequencies only.
ROPE_TYPES = ("default", "linear", "dynamic", "yarn", "longrope", "llama3")
WEIGHT_DTYPES = ("bfloat16", "float16", "float32")
DEFAULT_ROPE_THETA = 10000.0  # every supported config class
# Published configs are a few KiB; anything this big is a weights file given by mistake.
MAX_CONFIG_BYTES = 2**20
QWEN_DEFAULT_FULL_LAYERS = 28  # Qwen2Config / Qwen3Config: max_window_layers

# The largest value each count may have: the largest published dense model's with a
# margin, or what the slides are drawn and tested for. Beyond them a config is a typo or
# an attack (10^12 layers once took 5 GB before failing), refused when read.
LIMITS = {
    # Llama 3.1 405B has 126 layers and 128 query heads (arXiv:2407.21783, Table 3), the
    # most of any published dense model; the slides draw and are tested up to 128 of each
    "num_hidden_layers": 128,
    "num_attention_heads": 128,
    "num_key_value_heads": 128,
    "head_dim": 1024,  # Gemma 2: 256, the largest published; ×4
    "hidden_size": 65_536,  # Llama 3.1 405B: 16,384; ×4
    "intermediate_size": 262_144,  # Llama 3.1 405B: 53,248; about ×5
    "vocab_size": 1_048_576,  # Gemma 2: 256,000; about ×4
    "max_position_embeddings": 16_777_216,  # Qwen2.5-1M: 1,010,000; ×16
    "sliding_window": 16_777_216,  # no longer than a context
    "max_window_layers": 128,
}
MAX_ROPE_THETA = 1e9  # Qwen2.5-1M's 10^7 is the largest published; ×100
MAX_TITLE_CHARS = 40  # the name sits inside headings and table cells (as talk files' model_name)
MAX_NESTING = 16  # published configs nest 3 deep (rope_scaling inside the config)

FULL, SLIDING = "full_attention", "sliding_attention"


@dataclass(frozen=True)
class Architecture:
    """What transformers builds for one model_type (from its modeling_<type>.py).

    A bias is True/False when the module fixes it, or the config key that decides it.
    A default is the config class's, for a key the file leaves out.
    """

    qkv_bias: bool | str = "attention_bias"
    o_bias: bool | str = "attention_bias"
    mlp_bias: bool | str = False
    qk_norm: bool = False
    norms_per_layer: int = 2
    tie_default: bool = False
    kv_heads_default: int | None = None  # None: a missing count is MHA (LlamaConfig)
    head_dim_default: int | None = None  # None: hidden // heads
    windows: str = "none"  # or "all" (Mistral), "after_full_layers" (Qwen), "alternate"
    window_default: int = 4096  # sliding_window when the key is absent
    activation_key: str = "hidden_act"
    activation_default: str = "silu"


ARCHITECTURES = {
    # q/k/v/o biases follow attention_bias, gate/up/down biases mlp_bias.
    "llama": Architecture(mlp_bias="mlp_bias"),
    # No biases; every layer attends within sliding_window (a rolling cache).
    "mistral": Architecture(qkv_bias=False, o_bias=False, kv_heads_default=8, windows="all"),
    # q/k/v always carry biases, o_proj never.
    "qwen2": Architecture(
        qkv_bias=True, o_bias=False, kv_heads_default=32, windows="after_full_layers"
    ),
    # A q_norm and a k_norm over head_dim in every layer.
    "qwen3": Architecture(
        qk_norm=True, kv_heads_default=32, head_dim_default=128, windows="after_full_layers"
    ),
    # Four RMSNorms per layer, tied embeddings, a window on layers 0, 2, 4, …
    "gemma2": Architecture(
        norms_per_layer=4,
        tie_default=True,
        kv_heads_default=4,
        head_dim_default=256,
        windows="alternate",
        activation_key="hidden_activation",
        activation_default="gelu_pytorch_tanh",
    ),
}

_MISSING = object()


def _shown(value: Any) -> str:
    """`value` as JSON for a message, cut short: a message is one line."""
    text = json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "…"


class _Fields:
    """Typed reads from one config dict; every failure is a `ConfigError` naming the file."""

    def __init__(self, path: Path, data: dict[str, Any]):
        self.path, self.data = path, data

    def fail(self, reason: str) -> ConfigError:
        return ConfigError(self.path, reason)

    def get(self, key: str, default: Any = _MISSING) -> Any:
        """The value, or `default` when the key is absent or null (null means "default")."""
        value = self.data.get(key)
        if value is None:
            if default is _MISSING:
                raise self.fail(f"missing field {key!r}")
            return default
        return value

    def count(self, key: str, default: Any = _MISSING, minimum: int = 1) -> int:
        value = self.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            kind = "a positive integer" if minimum == 1 else f"an integer ≥ {minimum}"
            raise self.fail(f"{key} must be {kind}, got {_shown(value)}")
        if key in LIMITS and value > LIMITS[key]:
            raise self.fail(
                f"{key} {value:,} is more than the deck models ({LIMITS[key]:,}, beyond the "
                "largest published model's)"
            )
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(f"{key} must be true or false, got {json.dumps(value)}")
        return value

    def number(self, key: str, default: float) -> float:
        value = self.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
            raise self.fail(f"{key} must be a positive number, got {_shown(value)}")
        if not math.isfinite(value):  # 1e400 reads as infinity
            raise self.fail(f"{key} must be a finite number, got {_shown(value)}")
        return float(value)

    def text(self, key: str, default: Any = _MISSING) -> str:
        value = self.get(key, default)
        if not isinstance(value, str):
            raise self.fail(f"{key} must be a string, got {json.dumps(value)}")
        return value

    def bias(self, rule: bool | str) -> bool:
        return rule if isinstance(rule, bool) else self.flag(rule)


def _read(path: Path) -> dict[str, Any]:
    text = read_text(
        path,
        ConfigError,
        folder="is a folder without a config.json",
        max_bytes=MAX_CONFIG_BYTES,
        too_large="too large for a config.json (over 1 MiB): is it the weights?",
    )

    def no_constant(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    try:
        data = json.loads(text, parse_constant=no_constant)
    except json.JSONDecodeError as err:
        raise ConfigError(
            path, f"not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}"
        ) from None
    except ValueError as err:
        raise ConfigError(path, f"not valid JSON: {err}") from None
    except RecursionError:  # json recurses per level of nesting
        raise ConfigError(path, f"nested deeper than {MAX_NESTING} levels") from None
    if not isinstance(data, dict):
        raise ConfigError(path, "not a config: the JSON is not an object")
    if nesting(data) > MAX_NESTING:
        raise ConfigError(path, f"nested deeper than {MAX_NESTING} levels")
    return data


def _reject_other_architectures(f: _Fields) -> None:
    for key in MOE_KEYS:
        if f.data.get(key):
            raise f.fail(
                f"a mixture-of-experts model ({key} = {json.dumps(f.data[key])}); "
                "the deck models dense FFNs only"
            )
    for key in MLA_KEYS:
        if f.data.get(key):
            raise f.fail(
                f"multi-head latent attention ({key} = {json.dumps(f.data[key])}); "
                "its cache is a latent vector, not K/V heads"
            )
    if f.data.get("quantization_config"):
        raise f.fail(
            "a quantized checkpoint (quantization_config): its weights are not torch_dtype"
        )


def _dtype(f: _Fields) -> str:
    # transformers ≥ 4.56 writes "dtype" instead of "torch_dtype"
    key = "torch_dtype" if f.data.get("torch_dtype") is not None else "dtype"
    if f.data.get(key) is None:
        raise f.fail("missing field 'torch_dtype': the deck computes bytes from it")
    dtype = f.text(key)
    if dtype not in WEIGHT_DTYPES:
        raise f.fail(f"{key} {dtype!r} is not one of {', '.join(WEIGHT_DTYPES)}")
    return dtype


def _theta(f: _Fields, default: float) -> float:
    theta = f.number("rope_theta", default)
    if theta > MAX_ROPE_THETA:
        raise f.fail(
            f"rope_theta {theta:g} is beyond any published model's (at most {MAX_ROPE_THETA:g})"
        )
    return theta


def _rope(f: _Fields) -> tuple[float, str]:
    """RoPE base and scaling type: rope_theta and rope_scaling, or rope_parameters (v5)."""
    theta = _theta(f, DEFAULT_ROPE_THETA)
    scaling = f.get("rope_scaling", None)
    parameters = f.get("rope_parameters", None)
    if parameters is not None:
        if not isinstance(parameters, dict) or any(
            isinstance(v, dict) for v in parameters.values()
        ):
            raise f.fail("rope_parameters must be one object (per-layer RoPE is not supported)")
        theta = _theta(_Fields(f.path, parameters), theta)
        scaling = parameters
    if scaling is None:
        return theta, ""
    if not isinstance(scaling, dict):
        raise f.fail(f"rope_scaling must be an object or null, got {json.dumps(scaling)}")
    kind = scaling.get("rope_type", scaling.get("type", "default"))
    if kind not in ROPE_TYPES:
        raise f.fail(f"rope scaling type {json.dumps(kind)} is not one of {', '.join(ROPE_TYPES)}")
    return theta, "" if kind == "default" else kind


def _layer_windows(f: _Fields, arch: Architecture, n_layers: int) -> tuple[int | None, ...]:
    """One entry per layer: its sliding window, or None for full attention; () if none slide."""
    if arch.windows == "none":
        return ()
    if arch.windows == "after_full_layers" and not f.flag("use_sliding_window"):
        return ()  # Qwen configs name a window but use it only with use_sliding_window
    # An absent key takes the config class's default; an explicit null means no window.
    if "sliding_window" not in f.data:
        window = arch.window_default
    elif f.data["sliding_window"] is None:
        return ()
    else:
        window = f.count("sliding_window")
    if arch.windows == "all":
        kinds = [SLIDING] * n_layers
    elif "layer_types" in f.data and f.data["layer_types"] is not None:
        kinds = f.get("layer_types")
        if not isinstance(kinds, list) or any(k not in (FULL, SLIDING) for k in kinds):
            raise f.fail(f"layer_types must list {FULL!r} or {SLIDING!r} for each layer")
        if len(kinds) != n_layers:
            raise f.fail(f"layer_types has {len(kinds)} entries for {n_layers} layers")
    elif arch.windows == "alternate":
        kinds = [SLIDING if i % 2 == 0 else FULL for i in range(n_layers)]
    else:
        full = f.count("max_window_layers", QWEN_DEFAULT_FULL_LAYERS, minimum=0)
        kinds = [SLIDING if i >= full else FULL for i in range(n_layers)]
    windows = tuple(window if kind == SLIDING else None for kind in kinds)
    return windows if any(w is not None for w in windows) else ()


def _defaulted(f: _Fields, key: str, class_default: int | None, rule: int, rule_name: str) -> int:
    """A count the file may leave out: the deck's rule, if transformers' default agrees."""
    if f.data.get(key) is not None:
        return f.count(key)
    if class_default is not None and class_default != rule:
        model_type = f.data["model_type"]
        raise f.fail(
            f"missing field {key!r}: transformers' {model_type} default is {class_default}, "
            f"not {rule_name} ({rule}); write it out"
        )
    return rule


def _title(f: _Fields, name: str | None) -> str:
    if name is not None:
        title = name.strip()
    elif isinstance(f.data.get("_name_or_path"), str) and f.data["_name_or_path"].strip("/ "):
        title = f.data["_name_or_path"].strip("/ ").rsplit("/", 1)[-1]
    else:
        title = _folder_title(f.path)
    if not title:
        raise f.fail("no name for the slides; give one with --name")
    if len(title) > MAX_TITLE_CHARS:
        raise f.fail(
            f"the model's name is {len(title)} characters; at most {MAX_TITLE_CHARS} fit (--name)"
        )
    reason = refusal(title, theme.FONT)
    if reason is not None:
        raise f.fail(f"the model's name {reason}; give another with --name")
    return title


def _folder_title(path: Path) -> str:
    """The config's folder, or the repository of a Hugging Face cache snapshot."""
    folder = path.resolve().parent
    repo = folder.parent.parent.name  # …/models--org--name/snapshots/<commit>/config.json
    if folder.parent.name == "snapshots" and repo.startswith("models--"):
        return repo.rsplit("--", 1)[-1]
    return folder.name


def slug(title: str) -> str:
    """A file-system-safe name: lower case letters, digits, dots and single dashes."""
    name = re.sub(r"[^a-z0-9.]+", "-", title.lower())
    name = re.sub(r"\.{2,}", ".", name)
    return name.strip("-.")


def load_config(path: Path | str, name: str | None = None) -> Model:
    """The model a transformers config.json describes; `name` is the title on the slides.

    `path` may also be the model's folder, holding its config.json.
    """
    path = Path(path)
    if path.is_dir() and (path / "config.json").is_file():
        path = path / "config.json"
    f = _Fields(path, _read(path))
    _reject_other_architectures(f)
    model_type = f.text("model_type")
    if model_type not in ARCHITECTURES:
        raise f.fail(
            f"model_type {model_type!r} is not supported; supported: {', '.join(ARCHITECTURES)}"
        )
    arch = ARCHITECTURES[model_type]
    hidden, heads = f.count("hidden_size"), f.count("num_attention_heads")
    n_layers = f.count("num_hidden_layers")
    kv_heads = _defaulted(f, "num_key_value_heads", arch.kv_heads_default, heads, "MHA")
    head_dim = _defaulted(
        f, "head_dim", arch.head_dim_default, hidden // heads, "hidden_size // num_attention_heads"
    )
    if model_type == "gemma2":
        # Gemma 2 scales scores by 1/√query_pre_attn_scalar; the slides say 1/√head_dim.
        scalar = f.number("query_pre_attn_scalar", 256)
        if scalar != head_dim:
            raise f.fail(
                f"query_pre_attn_scalar {scalar:g} ≠ head_dim {head_dim}: the deck's slides "
                "scale scores by 1/√head_dim"
            )
    rope_base, rope_scaling = _rope(f)
    title = _title(f, name)
    model_name = slug(title)
    if not model_name:
        raise f.fail(f"cannot make a file name from {title!r}; give --name")
    if preset_name(model_name) in PRESETS:
        raise f.fail(f"{model_name!r} is a preset's name; give another --name")
    try:
        return Model(
            name=model_name,
            title=title,
            n_layers=n_layers,
            hidden=hidden,
            n_heads=heads,
            n_kv_heads=kv_heads,
            head_dim=head_dim,
            ffn=f.count("intermediate_size"),
            vocab=f.count("vocab_size"),
            tie_embeddings=f.flag("tie_word_embeddings", arch.tie_default),
            max_len=f.count("max_position_embeddings"),
            dtype=_dtype(f),
            rope_base=rope_base,
            source=str(path),
            qkv_bias=f.bias(arch.qkv_bias),
            o_bias=f.bias(arch.o_bias),
            mlp_bias=f.bias(arch.mlp_bias),
            qk_norm=arch.qk_norm,
            norms_per_layer=arch.norms_per_layer,
            layer_windows=_layer_windows(f, arch, n_layers),
            rope_scaling=rope_scaling,
            ffn_activation=f.text(arch.activation_key, arch.activation_default),
        )
    except ValueError as err:  # Model's own shape checks (heads vs KV heads, odd head_dim)
        raise f.fail(str(err).split(": ", 1)[-1]) from None
