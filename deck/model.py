"""The model a deck is about: one frozen dataclass, named presets, every derived number.

A scene never holds a number this module could compute: it asks a `Model`.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

DTYPE_BYTES = {"bfloat16": 2, "float16": 2, "float32": 4}


class UnknownPresetError(KeyError):
    """Raised for a preset name that is not in `PRESETS`."""

    def __str__(self) -> str:
        return self.args[0]


@dataclass(frozen=True)
class Model:
    """A decoder-only transformer with grouped-query attention (no biases, SwiGLU FFN)."""

    name: str
    title: str
    n_layers: int
    hidden: int
    n_heads: int
    n_kv_heads: int
    head_dim: int
    ffn: int
    vocab: int
    tie_embeddings: bool
    max_len: int
    dtype: str = "bfloat16"
    rope_base: float = 10000.0
    source: str = ""

    def __post_init__(self) -> None:
        sizes = ("n_layers", "hidden", "n_heads", "n_kv_heads", "head_dim", "ffn", "vocab")
        bad = [f"{s}={getattr(self, s)}" for s in (*sizes, "max_len") if getattr(self, s) <= 0]
        if bad:
            raise ValueError(f"preset {self.name!r}: sizes must be positive, got {', '.join(bad)}")
        if self.n_heads % self.n_kv_heads:
            raise ValueError(
                f"preset {self.name!r}: n_heads={self.n_heads} is not divisible by "
                f"n_kv_heads={self.n_kv_heads}"
            )
        if self.n_heads * self.head_dim != self.hidden:
            raise ValueError(
                f"preset {self.name!r}: n_heads × head_dim = {self.n_heads} × {self.head_dim} = "
                f"{self.n_heads * self.head_dim} ≠ hidden={self.hidden}"
            )
        if self.head_dim % 2:
            raise ValueError(
                f"preset {self.name!r}: RoPE needs an even head_dim, got {self.head_dim}"
            )
        if self.dtype not in DTYPE_BYTES:
            raise ValueError(
                f"preset {self.name!r}: dtype {self.dtype!r} is not one of {', '.join(DTYPE_BYTES)}"
            )

    # ── attention shapes ────────────────────────────────────────────────
    @property
    def group_size(self) -> int:
        """Query heads that share one K/V head."""
        return self.n_heads // self.n_kv_heads

    @property
    def q_out(self) -> int:
        return self.n_heads * self.head_dim

    @property
    def kv_out(self) -> int:
        return self.n_kv_heads * self.head_dim

    def kv_head_of(self, query_head: int) -> int:
        """The K/V head that query head `query_head` reads after repeat_kv."""
        return query_head // self.group_size

    # ── parameters ──────────────────────────────────────────────────────
    def attention_params(self, n_kv_heads: int | None = None) -> int:
        kv = self.n_kv_heads if n_kv_heads is None else n_kv_heads
        kv_out = kv * self.head_dim
        return self.hidden * self.q_out + 2 * self.hidden * kv_out + self.q_out * self.hidden

    @property
    def ffn_params(self) -> int:
        """SwiGLU: gate, up and down projections."""
        return 3 * self.hidden * self.ffn

    def layer_params(self, n_kv_heads: int | None = None) -> int:
        norms = 2 * self.hidden  # RMSNorm before attention and before the FFN
        return self.attention_params(n_kv_heads) + self.ffn_params + norms

    @property
    def embedding_params(self) -> int:
        tables = 1 if self.tie_embeddings else 2
        return tables * self.vocab * self.hidden

    def params(self, n_kv_heads: int | None = None) -> int:
        """Exact parameter count; the final RMSNorm adds `hidden`."""
        return self.n_layers * self.layer_params(n_kv_heads) + self.embedding_params + self.hidden

    @property
    def n_params(self) -> int:
        return self.params()

    @property
    def embeddings(self) -> str:
        return "tied" if self.tie_embeddings else "untied"

    # ── KV cache ────────────────────────────────────────────────────────
    @property
    def dtype_bytes(self) -> int:
        return DTYPE_BYTES[self.dtype]

    def kv_cache_bytes(self, tokens: int = 1, n_kv_heads: int | None = None) -> int:
        """K and V for every layer, only the KV heads are stored (after RoPE)."""
        kv = self.n_kv_heads if n_kv_heads is None else n_kv_heads
        return 2 * self.n_layers * kv * self.head_dim * self.dtype_bytes * tokens

    @property
    def kv_cache_saving(self) -> float:
        """Fraction of the multi-head KV cache that GQA does not store."""
        return 1 - self.n_kv_heads / self.n_heads

    def with_kv_heads(self, n_kv_heads: int) -> Model:
        """The same model with another number of KV heads (MHA = n_heads, MQA = 1)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        return Model(**{**values, "name": f"{self.name}-kv{n_kv_heads}", "n_kv_heads": n_kv_heads})


PRESETS: dict[str, Model] = {
    m.name: m
    for m in (
        # The promo animation's spec card; it leaves the vocabulary and tying open, so
        # they follow the AstrAI repository (github.com/ViperEkura/AstrAI): vocab 100000,
        # untied embeddings (scripts/tools/benchmark.py).
        Model(
            name="gqa-1b",
            title="GQA-1B",
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
        ),
        # AstrAI's "Default 1B GQA preset" (scripts/tools/benchmark.py): FFN 6912, 32k positions.
        Model(
            name="astrai-1b",
            title="AstrAI 1B",
            n_layers=24,
            hidden=1536,
            n_heads=24,
            n_kv_heads=4,
            head_dim=64,
            ffn=6912,
            vocab=100_000,
            tie_embeddings=False,
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
        # hidden_dim 14336, 32 heads, 8 KV heads, context 8192, vocab 32000), untied.
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
            source="arXiv:2310.06825 Table 1",
        ),
    )
}

DEFAULT_PRESET = "gqa-1b"


def get_preset(name: str) -> Model:
    try:
        return PRESETS[name]
    except KeyError:
        raise UnknownPresetError(
            f"unknown preset {name!r}; choose one of: {', '.join(PRESETS)}"
        ) from None
