"""The model a deck is about: one frozen dataclass, named presets, every derived number.

A scene never holds a number this module could compute: it asks a `Model`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from deck.failure import UnknownPresetError

# Bytes per value. "float8" is an 8-bit KV cache (e.g. vLLM's kv_cache_dtype="fp8"), for
# asking what the cache would cost at one byte per value.
DTYPE_BYTES = {"bfloat16": 2, "float16": 2, "float32": 4, "float8": 1}

# What each gated FFN is called after the activation on its gate (hidden_act in transformers).
FFN_KINDS = {"silu": "SwiGLU", "gelu": "GeGLU", "gelu_pytorch_tanh": "GeGLU", "relu": "ReGLU"}


@dataclass(frozen=True)
class Model:
    """A decoder-only transformer with grouped-query attention and a gated FFN.

    The optional parts follow what transformers builds for llama, mistral, qwen2, qwen3
    and gemma2: biases on q/k/v (and o), biases in the FFN, an RMSNorm on each query and
    key head (q_norm/k_norm), more than two RMSNorms per layer, and per-layer sliding
    windows (`layer_windows`: one entry per layer, None for full attention; empty when
    every layer attends to the whole context).
    """

    name: str  # file-system safe: it names build folders and exports
    title: str  # shown on the slides
    n_layers: int
    hidden: int
    n_heads: int
    n_kv_heads: int
    head_dim: int  # need not be hidden / n_heads (Qwen3-4B: 32 × 128 over hidden 2560)
    ffn: int
    vocab: int
    tie_embeddings: bool
    max_len: int
    dtype: str = "bfloat16"
    rope_base: float = 10000.0
    source: str = ""
    qkv_bias: bool = False
    o_bias: bool = False
    mlp_bias: bool = False
    qk_norm: bool = False
    norms_per_layer: int = 2  # before attention and before the FFN (Gemma 2 adds two after)
    layer_windows: tuple[int | None, ...] = ()
    rope_scaling: str = ""  # the RoPE scaling type, if any (it changes no count)
    ffn_activation: str = "silu"

    def __post_init__(self) -> None:
        sizes = ("n_layers", "hidden", "n_heads", "n_kv_heads", "head_dim", "ffn", "vocab")
        counts = (*sizes, "max_len", "norms_per_layer")
        bad = [f"{s}={getattr(self, s)}" for s in counts if getattr(self, s) <= 0]
        if bad:
            self._invalid(f"sizes must be positive, got {', '.join(bad)}")
        if self.n_heads % self.n_kv_heads:
            self._invalid(
                f"n_heads={self.n_heads} is not divisible by n_kv_heads={self.n_kv_heads}"
            )
        if self.head_dim % 2:
            self._invalid(f"RoPE needs an even head_dim, got {self.head_dim}")
        if self.dtype not in DTYPE_BYTES:
            self._invalid(f"dtype {self.dtype!r} is not one of {', '.join(DTYPE_BYTES)}")
        if self.layer_windows and len(self.layer_windows) != self.n_layers:
            self._invalid(
                f"layer_windows has {len(self.layer_windows)} entries for n_layers={self.n_layers}"
            )
        if any(w is not None and w <= 0 for w in self.layer_windows):
            self._invalid(f"sliding windows must be positive, got {self.layer_windows}")

    def _invalid(self, reason: str) -> None:
        raise ValueError(f"model {self.name!r}: {reason}")

    # ── attention shapes ────────────────────────────────────────────────
    @property
    def group_size(self) -> int:
        """Query heads that share one K/V head."""
        return self.n_heads // self.n_kv_heads

    @property
    def q_out(self) -> int:
        """Width of q_proj's output (and o_proj's input): n_heads × head_dim."""
        return self.n_heads * self.head_dim

    @property
    def kv_out(self) -> int:
        return self.n_kv_heads * self.head_dim

    def kv_head_of(self, query_head: int) -> int:
        """The K/V head that query head `query_head` reads after repeat_kv."""
        return query_head // self.group_size

    @property
    def ffn_kind(self) -> str:
        """SwiGLU, GeGLU, …: the gated FFN named after its activation."""
        return FFN_KINDS.get(self.ffn_activation, f"gated {self.ffn_activation}")

    # ── parameters ──────────────────────────────────────────────────────
    def _kv(self, n_kv_heads: int | None) -> int:
        return self.n_kv_heads if n_kv_heads is None else n_kv_heads

    def attention_weights(self, n_kv_heads: int | None = None) -> int:
        """One layer's q, k, v and o projection matrices."""
        kv_out = self._kv(n_kv_heads) * self.head_dim
        return self.hidden * self.q_out + 2 * self.hidden * kv_out + self.q_out * self.hidden

    def attention_biases(self, n_kv_heads: int | None = None) -> int:
        """One layer's projection biases: q/k/v (Qwen2, `attention_bias`), o (`attention_bias`)."""
        qkv = self.q_out + 2 * self._kv(n_kv_heads) * self.head_dim if self.qkv_bias else 0
        return qkv + (self.hidden if self.o_bias else 0)

    def attention_params(self, n_kv_heads: int | None = None) -> int:
        """One layer's attention projections with their biases."""
        return self.attention_weights(n_kv_heads) + self.attention_biases(n_kv_heads)

    @property
    def qk_norm_params(self) -> int:
        """One layer's q_norm and k_norm (Qwen3): one weight per head dimension each."""
        return 2 * self.head_dim if self.qk_norm else 0

    @property
    def ffn_weights(self) -> int:
        """One layer's gate, up and down projections."""
        return 3 * self.hidden * self.ffn

    @property
    def ffn_biases(self) -> int:
        return 2 * self.ffn + self.hidden if self.mlp_bias else 0

    @property
    def ffn_params(self) -> int:
        """One layer's gated FFN with its biases."""
        return self.ffn_weights + self.ffn_biases

    @property
    def layer_norm_params(self) -> int:
        return self.norms_per_layer * self.hidden

    def layer_params(self, n_kv_heads: int | None = None) -> int:
        return (
            self.attention_params(n_kv_heads)
            + self.qk_norm_params
            + self.ffn_params
            + self.layer_norm_params
        )

    @property
    def embedding_params(self) -> int:
        tables = 1 if self.tie_embeddings else 2
        return tables * self.vocab * self.hidden

    def param_breakdown(self, n_kv_heads: int | None = None) -> dict[str, int]:
        """The whole model's parameters by part; the parts add up to `params()`.

        Parts a model does not have (biases, q/k norms) are left out.
        """
        n = self.n_layers
        parts = {
            "embeddings": self.embedding_params,
            "attention": n * self.attention_weights(n_kv_heads),
            "attention biases": n * self.attention_biases(n_kv_heads),
            "q/k norms": n * self.qk_norm_params,
            "FFN": n * self.ffn_weights,
            "FFN biases": n * self.ffn_biases,
            "norms": n * self.layer_norm_params + self.hidden,  # + the final RMSNorm
        }
        return {part: count for part, count in parts.items() if count}

    def params(self, n_kv_heads: int | None = None) -> int:
        """Exact parameter count; the final RMSNorm adds `hidden`."""
        return sum(self.param_breakdown(n_kv_heads).values())

    @property
    def n_params(self) -> int:
        return self.params()

    @property
    def embeddings(self) -> str:
        return "tied" if self.tie_embeddings else "untied"

    # ── memory ──────────────────────────────────────────────────────────
    @property
    def dtype_bytes(self) -> int:
        return DTYPE_BYTES[self.dtype]

    def _bytes_per_value(self, dtype: str | None) -> int:
        if dtype is None:
            return self.dtype_bytes
        if dtype not in DTYPE_BYTES:
            raise ValueError(f"dtype {dtype!r} is not one of {', '.join(DTYPE_BYTES)}")
        return DTYPE_BYTES[dtype]

    def weight_bytes(self, dtype: str | None = None) -> int:
        """Every parameter stored in `dtype` (default: the model's)."""
        return self.params() * self._bytes_per_value(dtype)

    @property
    def sliding_window(self) -> int | None:
        """The largest sliding window of any layer; None when every layer sees everything."""
        return max((w for w in self.layer_windows if w is not None), default=None)

    @property
    def sliding_layers(self) -> int:
        """Layers whose cache keeps only their window."""
        return sum(w is not None for w in self.layer_windows)

    def cached_tokens(self, tokens: int) -> int:
        """Tokens held in the cache, summed over layers: a sliding layer keeps its window."""
        if tokens < 0:
            raise ValueError(f"tokens must be at least 0, got {tokens}")
        if not self.layer_windows:
            return self.n_layers * tokens
        return sum(tokens if w is None else min(tokens, w) for w in self.layer_windows)

    def prefill_attended(self, tokens: int) -> int:
        """(query, key) pairs a causal prefill of `tokens` tokens computes, summed over
        layers: token i (from 1) sees i keys, or its layer's window if that is smaller."""

        def triangle(n: int) -> int:
            return n * (n + 1) // 2

        def one_layer(window: int | None) -> int:
            if window is None or tokens <= window:
                return triangle(tokens)
            return triangle(window) + (tokens - window) * window

        if not self.layer_windows:
            return self.n_layers * one_layer(None)
        return sum(one_layer(w) for w in self.layer_windows)

    def kv_cache_bytes(
        self,
        tokens: int = 1,
        n_kv_heads: int | None = None,
        batch: int = 1,
        dtype: str | None = None,
    ) -> int:
        """K and V of every layer for `tokens` tokens of `batch` sequences.

        Only the KV heads are stored (after RoPE); a sliding-window layer keeps at most its
        window (a rolling cache). `dtype` is the cache's (default: the model's).
        """
        per_token_layer = 2 * self._kv(n_kv_heads) * self.head_dim
        return per_token_layer * self._bytes_per_value(dtype) * batch * self.cached_tokens(tokens)

    def kv_reaches_weights_at(
        self, n_kv_heads: int | None = None, batch: int = 1, dtype: str | None = None
    ) -> int | None:
        """The shortest context whose KV cache is at least the weights' size (in the model's
        dtype), or None if even `max_len` tokens stay below it."""
        weights = self.weight_bytes()

        def reached(tokens: int) -> bool:
            return self.kv_cache_bytes(tokens, n_kv_heads, batch, dtype) >= weights

        if not reached(self.max_len):
            return None
        low, high = 1, self.max_len  # the cache grows with tokens: bisect for the first
        while low < high:
            mid = (low + high) // 2
            low, high = (low, mid) if reached(mid) else (mid + 1, high)
        return low

    # ── tensor parallelism ──────────────────────────────────────────────
    def fits_tensor_parallel(self, tp: int, n_kv_heads: int | None = None) -> bool:
        """Whether `tp` GPUs can split the layer by heads: the query heads evenly, and the
        KV heads evenly or each copied onto tp / n_kv_heads GPUs (vLLM's rule)."""
        kv = self._kv(n_kv_heads)
        return tp >= 1 and self.n_heads % tp == 0 and (kv % tp == 0 or tp % kv == 0)

    def tensor_parallel_degree(self, limit: int) -> int:
        """The most GPUs, a power of two up to `limit`, that split the model by heads for
        MHA, its GQA and MQA alike."""
        tp = 1
        while 2 * tp <= limit and all(
            self.fits_tensor_parallel(2 * tp, kv) for _, kv in self.attention_variants
        ):
            tp *= 2
        return tp

    def kv_heads_per_gpu(self, tp: int, n_kv_heads: int | None = None) -> int:
        """KV heads each of `tp` GPUs holds under tensor parallelism: its share of the
        heads, or one copied head when there are fewer heads than GPUs (MQA: always one)."""
        if not self.fits_tensor_parallel(tp, n_kv_heads):
            raise ValueError(
                f"{tp} GPUs cannot split {self.n_heads} query heads and "
                f"{self._kv(n_kv_heads)} KV heads"
            )
        return max(1, self._kv(n_kv_heads) // tp)

    def kv_cache_bytes_per_gpu(
        self, tp: int, tokens: int = 1, n_kv_heads: int | None = None, batch: int = 1
    ) -> int:
        """The KV cache one of `tp` GPUs holds: only its own KV heads (and the copies)."""
        return self.kv_cache_bytes(tokens, self.kv_heads_per_gpu(tp, n_kv_heads), batch)

    def gpus_per_kv_head(self, tp: int, n_kv_heads: int | None = None) -> int:
        """How many of `tp` GPUs hold a copy of each KV head (1: no copies)."""
        self.kv_heads_per_gpu(tp, n_kv_heads)  # refuses a split that does not fit
        return max(1, tp // self._kv(n_kv_heads))

    # ── what a decoding step reads and computes ────────────────────────
    @property
    def weights_read_per_step(self) -> int:
        """Weights a decoding step reads in full: all but the input embedding, which is a
        lookup of one row per token. Tied embeddings are one matrix, read in full as the
        output head, so then every weight is read."""
        lookup = 0 if self.tie_embeddings else self.vocab * self.hidden
        return self.params() - lookup

    def bytes_read_per_step(
        self, batch: int = 1, tokens: int | None = None, n_kv_heads: int | None = None
    ) -> int:
        """Bytes one decoding step reads for `batch` sequences of `tokens` tokens (default
        `max_len`): the weights once for the whole batch, plus every sequence's KV cache.

        The weights are this model's for every `n_kv_heads`, so that MHA, GQA and MQA are
        compared at equal weights and differ in the cache alone (an MHA model of the same
        shape would also read its larger K and V projections)."""
        if batch < 1:
            raise ValueError(f"batch must be at least 1, got {batch}")
        tokens = self.max_len if tokens is None else tokens
        weights = self.weights_read_per_step * self.dtype_bytes
        return weights + self.kv_cache_bytes(tokens, n_kv_heads, batch)

    def step_flops(self, tokens: int | None = None) -> int:
        """FLOPs to process one token against `tokens` cached ones (default `max_len`): a
        multiply and an add per weight read, and for every query head and cached token
        q·k and the weighted sum of v (2 · head_dim each). Whatever the KV heads: each
        query head still reads every cached key and value, shared or not."""
        tokens = self.max_len if tokens is None else tokens
        attention = 4 * self.n_heads * self.head_dim * self.cached_tokens(tokens)
        return 2 * self.weights_read_per_step + attention

    def decode_intensity(
        self, batch: int = 1, tokens: int | None = None, n_kv_heads: int | None = None
    ) -> float:
        """FLOPs per byte read of one decoding step: `batch` tokens, one per sequence."""
        flops = batch * self.step_flops(tokens)
        return flops / self.bytes_read_per_step(batch, tokens, n_kv_heads)

    def prefill_intensity(self, tokens: int | None = None, n_kv_heads: int | None = None) -> float:
        """FLOPs per byte of memory traffic of a prefill of `tokens` prompt tokens (default
        `max_len`) in one pass: the weights read once for all of them, the prompt's K and V
        written to the cache once; token i attends to the i tokens up to itself."""
        tokens = self.max_len if tokens is None else tokens
        if tokens < 1:
            raise ValueError(f"a prefill needs at least one token, got {tokens}")
        attended = self.prefill_attended(tokens)
        flops = 2 * self.weights_read_per_step * tokens
        flops += 4 * self.n_heads * self.head_dim * attended
        moved = self.weights_read_per_step * self.dtype_bytes
        moved += self.kv_cache_bytes(tokens, n_kv_heads)
        return flops / moved

    def gqa_read_saving(self, tokens: int, batch: int = 1) -> float:
        """How many times fewer bytes a decoding step reads with this model's GQA than with
        MHA: near 1 while the weights dominate, growing with batch × context."""
        mha = self.bytes_read_per_step(batch, tokens, self.n_heads)
        return mha / self.bytes_read_per_step(batch, tokens)

    @property
    def kv_cache_saving(self) -> float:
        """Fraction of the multi-head KV cache that GQA does not store."""
        return 1 - self.n_kv_heads / self.n_heads

    @property
    def attention_variants(self) -> tuple[tuple[str, int], ...]:
        """(name, KV heads) of multi-head, this model's grouped-query and multi-query
        attention: the three ways to share K and V that the deck compares."""
        return (("MHA", self.n_heads), ("GQA", self.n_kv_heads), ("MQA", 1))

    def with_kv_heads(self, n_kv_heads: int) -> Model:
        """The same model with another number of KV heads (MHA = n_heads, MQA = 1)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return Model(**{**values, "name": f"{self.name}-kv{n_kv_heads}", "n_kv_heads": n_kv_heads})


MISTRAL_WINDOW = 4096  # Mistral 7B's sliding window (arXiv:2310.06825 Table 1, window_size)
# The promo animation's spec card; it leaves the vocabulary and tying open, so they
# follow the AstrAI repository (github.com/ViperEkura/AstrAI): vocab 100000, untied
# embeddings (scripts/tools/benchmark.py). Named for what it is, a 1B demo model:
# "GQA-1B" read as GQA-1, which is MQA.
DEMO_1B = Model(
    name="demo-1b",
    title="Demo-1B",
    n_layers=24,
    hidden=1536,
    n_heads=24,
    n_kv_heads=4,
    head_dim=64,
    ffn=4608,
    vocab=100_000,
    tie_embeddings=False,
    max_len=2048,
    source="promo spec card; vocab/tying: AstrAI scripts/tools/benchmark.py",
)

PRESETS: dict[str, Model] = {
    m.name: m
    for m in (
        DEMO_1B,
        # AstrAI's "Default 1B GQA preset" (scripts/tools/benchmark.py): Demo-1B's shape
        # with FFN 6912 and 32k positions.
        replace(
            DEMO_1B,
            name="astrai-1b",
            title="AstrAI 1B",
            ffn=6912,
            max_len=32768,
            source="AstrAI scripts/tools/benchmark.py",
        ),
        # Llama 3 8B: arXiv:2407.21783 Table 3 and meta-llama/Meta-Llama-3-8B config.json
        # (vocab 128256, rope_theta 500000, max_position_embeddings 8192, untied).
        Model(
            name="llama-3-8b",
            title="Llama 3 8B",
            n_layers=32,
            hidden=4096,
            n_heads=32,
            n_kv_heads=8,
            head_dim=128,
            ffn=14336,
            vocab=128_256,
            tie_embeddings=False,
            max_len=8192,
            rope_base=500_000.0,
            source="arXiv:2407.21783 Table 3; config.json",
        ),
        # Mistral 7B: arXiv:2310.06825 Table 1 (dim 4096, 32 layers, head_dim 128,
        # hidden_dim 14336, 32 heads, 8 KV heads, window_size 4096, context 8192,
        # vocab 32000), untied; every layer keeps a rolling cache of its window (§2).
        Model(
            name="mistral-7b",
            title="Mistral 7B",
            n_layers=32,
            hidden=4096,
            n_heads=32,
            n_kv_heads=8,
            head_dim=128,
            ffn=14336,
            vocab=32_000,
            tie_embeddings=False,
            max_len=8192,
            layer_windows=(MISTRAL_WINDOW,) * 32,
            source="arXiv:2310.06825 Table 1",
        ),
    )
}

DEFAULT_PRESET = "demo-1b"
# Former names still accepted on the command line and in talk files (scripts use them).
PRESET_ALIASES = {"gqa-1b": "demo-1b"}


def preset_name(name: str) -> str:
    """The preset `name` refers to: itself, or the preset a former name now has."""
    return PRESET_ALIASES.get(name, name)


def get_preset(name: str) -> Model:
    try:
        return PRESETS[preset_name(name)]
    except KeyError:
        raise UnknownPresetError(
            f"unknown preset {name!r}; choose one of: {', '.join(PRESETS)}"
        ) from None
