"""Published figures the deck shows, each with the paper, table/figure/section and page.

The one module a slide may take a number from without computing it. Every figure carries
a `Citation`, so a slide and its notes name the same source: `TABLE1.source` is
"Ainslie et al. 2023, Table 1". Pages are those of the paper's arXiv PDF and are given only
where they were checked against a page-marked text of that PDF; otherwise `page` is None
and the citation names the table, figure or section alone.

No web address here (the HTML export rejects any page that carries one): a paper is named
by its arXiv id, "arXiv:2305.13245".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "ASTRAI",
    "ATTENTION_IS_ALL_YOU_NEED",
    "CONVERSION_ABLATION",
    "DEEPSEEK_V2",
    "DEEPSEEK_V2_MLA",
    "FLASH_ATTENTION",
    "GQA_FAMILY",
    "GQA_FIGURE1",
    "GQA_FIGURE2",
    "GQA_FIGURE3",
    "GQA_PAPER",
    "GQA_SHARDING",
    "GROUPS_FINDING",
    "INDUCTION_HEADS",
    "KIVI",
    "KIVI_FINDING",
    "LLAMA2",
    "LLAMA2_ABLATION",
    "LLAMA2_FFN_WIDENED",
    "LLAMA2_FROM_SCRATCH",
    "LLAMA2_TENSOR_PARALLEL",
    "LLAMA3",
    "LLAMA3_KV_HEADS",
    "MEAN_POOL_CONVERSION",
    "MISTRAL_7B",
    "MISTRAL_WINDOW",
    "MQA_DECODING",
    "MQA_PAPER",
    "MQA_PERPLEXITY",
    "PAGED_KV_CACHE",
    "REFERENCES",
    "ROFORMER",
    "TABLE1",
    "UPTRAINING_ALPHA",
    "UPTRAINING_CHIP_DAYS",
    "UPTRAINING_FINDING",
    "VLLM",
    "Citation",
    "Cited",
    "CitedClaim",
    "CitedValue",
    "MhaVsMqa",
    "MlaFigures",
    "Reference",
    "Table1",
    "Table1Row",
    "reference",
]

ARXIV_ID = re.compile(r"\d{4}\.\d{4,5}")  # the post-2007 form: YYMM.NNNNN


@dataclass(frozen=True)
class Reference:
    """One work, as the references slide lists it: a paper (by its arXiv id) or a
    code repository (by its owner/name on GitHub, never a web address).

    `names` are the words that, on a slide or in its notes, mean the slide uses the work
    (its authors as cited, and what the talk calls it: "the GQA paper", "FlashAttention");
    tests/scenes/test_content.py holds every scene's declared references to them.
    """

    authors: str  # short form: "Ainslie et al."
    year: int | None
    title: str
    arxiv: str = ""  # the bare id, "2305.13245"; empty for a repository
    venue: str = ""  # where it was published, if not on arXiv only
    names: tuple[str, ...] = ()
    repository: str = ""  # "GitHub ViperEkura/AstrAI", for a work that is code

    def __post_init__(self) -> None:
        if self.arxiv and not ARXIV_ID.fullmatch(self.arxiv):
            raise ValueError(f"{self.authors} {self.year}: bad arXiv id {self.arxiv!r}")
        if not (self.arxiv or self.repository):
            raise ValueError(f"{self.authors}: a reference needs an arXiv id or a repository")

    @property
    def arxiv_id(self) -> str:
        """The id as a slide prints it: arXiv:2305.13245 (empty for a repository)."""
        return f"arXiv:{self.arxiv}" if self.arxiv else ""

    @property
    def short(self) -> str:
        """How a slide names the work: Ainslie et al. 2023."""
        return f"{self.authors} {self.year}" if self.year is not None else self.authors

    def citation(self) -> str:
        """One line for the references slide: authors year. Title. Venue. arXiv id."""
        parts = (self.short, self.title, self.venue, self.arxiv_id, self.repository)
        return ". ".join(part for part in parts if part)

    def used_in(self, text: str) -> bool:
        """Whether `text` (a slide's words or notes) names this work."""
        return any(name in text for name in (self.short, *self.names))


@dataclass(frozen=True)
class Citation:
    """Where in a paper something is: a table, figure or section, and its page if checked."""

    reference: Reference
    where: str  # "Table 1", "Figure 6", "§3.1"
    page: int | None = None  # page of the paper's PDF; None where it was not checked

    @property
    def source(self) -> str:
        """A slide's source line: Ainslie et al. 2023, Table 1."""
        return f"{self.reference.short}, {self.where}"

    @property
    def full(self) -> str:
        """For the notes: Ainslie et al. 2023, Table 1, p. 3 (arXiv:2305.13245)."""
        page = f", p. {self.page}" if self.page is not None else ""
        return f"{self.source}{page} ({self.reference.arxiv_id})"


class Cited:
    """What a slide shows from a paper: `.source` names where (a `cited` field holds it)."""

    cited: Citation

    @property
    def source(self) -> str:
        """A slide's source line: Ainslie et al. 2023, Table 1."""
        return self.cited.source


@dataclass(frozen=True)
class CitedValue(Cited):
    """One published number with its unit and where it is printed."""

    value: float
    unit: str  # "" for a pure number
    what: str
    cited: Citation


@dataclass(frozen=True)
class CitedClaim(Cited):
    """A finding a slide states in words, with where the paper states it."""

    text: str
    cited: Citation


# ── references (every work the deck can cite; the references slide lists those its
# scenes use, in the order the talk first uses them: deck.scenes.cited_references) ──
GQA_PAPER = Reference(
    "Ainslie et al.",
    2023,
    "GQA: Training Generalized Multi-Query Transformer Models from Multi-Head Checkpoints",
    "2305.13245",
    venue="EMNLP 2023",  # Proceedings, pages 4895–4901
    names=("GQA paper", "Ainslie"),
)
MQA_PAPER = Reference(
    "Shazeer",
    2019,
    "Fast Transformer Decoding: One Write-Head is All You Need",
    "1911.02150",
    names=("MQA paper", "Shazeer"),
)
ATTENTION_IS_ALL_YOU_NEED = Reference(
    "Vaswani et al.",
    2017,
    "Attention Is All You Need",
    "1706.03762",
    venue="NeurIPS 2017",
    names=("Vaswani", "Transformer paper"),
)
ROFORMER = Reference(
    "Su et al.",
    2021,
    "RoFormer: Enhanced Transformer with Rotary Position Embedding",
    "2104.09864",
    names=("RoFormer", "RoPE", "rotary"),
)
INDUCTION_HEADS = Reference(  # the heatmap's previous-token head
    "Olsson et al.",
    2022,
    "In-context Learning and Induction Heads",
    "2209.11895",
    venue="Transformer Circuits Thread",
    names=("Olsson", "induction head"),
)
# Dubey: the first author of arXiv v1–v2 (the paper's byline is "Llama Team, AI @ Meta").
LLAMA3 = Reference(
    "Dubey et al.", 2024, "The Llama 3 Herd of Models", "2407.21783", names=("Llama 3",)
)
MISTRAL_7B = Reference("Jiang et al.", 2023, "Mistral 7B", "2310.06825", names=("Mistral",))
FLASH_ATTENTION = Reference(
    "Dao et al.",
    2022,
    "FlashAttention: Fast and Memory-Efficient Exact Attention with IO-Awareness",
    "2205.14135",
    venue="NeurIPS 2022",
    names=("FlashAttention",),
)
LLAMA2 = Reference(
    "Touvron et al.",
    2023,
    "Llama 2: Open Foundation and Fine-Tuned Chat Models",
    "2307.09288",
    names=("Llama 2",),
)
DEEPSEEK_V2 = Reference(
    "DeepSeek-AI",
    2024,
    "DeepSeek-V2: A Strong, Economical, and Efficient Mixture-of-Experts Language Model",
    "2405.04434",
    names=("DeepSeek",),
)
VLLM = Reference(
    "Kwon et al.",
    2023,
    "Efficient Memory Management for Large Language Model Serving with PagedAttention",
    "2309.06180",
    venue="SOSP 2023",
    names=("vLLM", "PagedAttention"),
)
KIVI = Reference(
    "Liu et al.",
    2024,
    "KIVI: A Tuning-Free Asymmetric 2bit Quantization for KV Cache",
    "2402.02750",
    venue="ICML 2024",
    names=("KIVI",),
)
# The default model's vocabulary and untied embeddings, and the astrai-1b preset: the
# repository's scripts/tools/benchmark.py (its "Default 1B GQA preset").
ASTRAI = Reference(
    "ViperEkura",
    None,
    "AstrAI",
    repository="GitHub ViperEkura/AstrAI, scripts/tools/benchmark.py",
    names=("AstrAI",),
)

REFERENCES: tuple[Reference, ...] = (
    GQA_PAPER,
    MQA_PAPER,
    ATTENTION_IS_ALL_YOU_NEED,
    ROFORMER,
    INDUCTION_HEADS,
    LLAMA3,
    MISTRAL_7B,
    FLASH_ATTENTION,
    LLAMA2,
    DEEPSEEK_V2,
    VLLM,
    KIVI,
    ASTRAI,
)


def reference(arxiv: str) -> Reference:
    """The reference with this arXiv id ("2305.13245" or "arXiv:2305.13245")."""
    bare = arxiv.removeprefix("arXiv:")
    for ref in REFERENCES:
        if ref.arxiv == bare:
            return ref
    known = ", ".join(r.arxiv_id for r in REFERENCES if r.arxiv)
    raise ValueError(f"no reference with arXiv id {arxiv!r}; known: {known}")


# ── GQA paper: Table 1 (T5-XXL), drawn as its Figure 3 ──────────────────
@dataclass(frozen=True)
class Table1Row:
    model: str  # as printed: "GQA-8-XXL"
    attention: str  # "MHA", "MQA" or "GQA-8"
    size: str  # T5 "Large" or "XXL"
    seconds_per_sample: float  # T_infer: inference time per sample (TPUv4)
    average: float  # average dev-set score over the seven tasks


@dataclass(frozen=True)
class Table1(Cited):
    rows: tuple[Table1Row, ...]
    cited: Citation

    def row(self, model: str) -> Table1Row:
        for r in self.rows:
            if r.model == model:
                return r
        raise ValueError(f"Table 1 has no row {model!r}; rows: {[r.model for r in self.rows]}")


# Table 1 and Figure 3 share p. 3; §3.2 discusses both. The MQA and GQA rows are the
# checkpoints uptrained with α = 0.05 (UPTRAINING_ALPHA).
TABLE1 = Table1(
    rows=(
        Table1Row("MHA-Large", "MHA", "Large", 0.37, 46.0),
        Table1Row("MHA-XXL", "MHA", "XXL", 1.51, 47.2),
        Table1Row("MQA-XXL", "MQA", "XXL", 0.24, 46.6),
        Table1Row("GQA-8-XXL", "GQA-8", "XXL", 0.28, 47.1),
    ),
    cited=Citation(GQA_PAPER, "Table 1", page=3),
)
# The figures a slide redraws: the MHA → MQA conversion, the MHA/GQA/MQA family side by
# side, and Table 1 as inference time against quality.
GQA_FIGURE1 = Citation(GQA_PAPER, "Figure 1", page=1)
GQA_FIGURE2 = Citation(GQA_PAPER, "Figure 2", page=2)
GQA_FIGURE3 = Citation(GQA_PAPER, "Figure 3", page=3)

# ── GQA paper: conversion and uptraining ────────────────────────────────
UPTRAINING_ALPHA = CitedValue(
    value=0.05,
    unit="",
    what="uptraining proportion α: the converted checkpoint is pre-trained for a further "
    "5 % of the original pre-training steps",
    cited=Citation(GQA_PAPER, "§3.1", page=2),
)
UPTRAINING_CHIP_DAYS = CitedValue(
    value=600,
    unit="TPUv3 chip-days",
    what="approximate cost of uptraining T5-XXL with α = 0.05",
    cited=Citation(GQA_PAPER, "§3.1", page=2),
)
MEAN_POOL_CONVERSION = CitedClaim(
    text="An MHA checkpoint becomes GQA by mean-pooling the key and value heads of each "
    "group into one head (the projection matrices are averaged)",
    cited=Citation(GQA_PAPER, "§2.2", page=2),  # drawn in Figure 1 for MQA
)
GQA_FAMILY = CitedClaim(
    text="GQA-G: G groups of query heads each share one key head and one value head; "
    "GQA-1 is MQA, GQA-H is MHA",
    cited=Citation(GQA_PAPER, "§2.2", page=2),
)
CONVERSION_ABLATION = CitedClaim(
    text="Mean-pooling the heads works better than keeping the first head, which works "
    "better than random initialisation",
    cited=Citation(GQA_PAPER, "Figure 4", page=4),
)
UPTRAINING_FINDING = CitedClaim(
    text="GQA already performs reasonably right after conversion, while MQA needs the "
    "uptraining; both gain from 5 %, with diminishing returns from 10 %",
    cited=Citation(GQA_PAPER, "Figure 5", page=4),
)
MQA_INSTABILITY = CitedClaim(
    text="MQA can be unstable when fine-tuning (the paper's T5 experiments)",
    cited=Citation(GQA_PAPER, "Appendix A"),
)
GQA_LIMITATIONS = CitedClaim(
    text="The evidence is for T5, an encoder-decoder, with GQA in the decoder; no decoder-only "
    "model and no comparison with training GQA from scratch",
    cited=Citation(GQA_PAPER, "Limitations"),
)
GROUPS_FINDING = CitedClaim(
    text="from 1 group (MQA) to 8, time per sample grows little; more groups cost more",
    cited=Citation(GQA_PAPER, "Figure 6", page=4),
)


# ── MQA paper (Shazeer 2019): WMT14 EN-DE, multi-head vs multi-query ────
@dataclass(frozen=True)
class MhaVsMqa(Cited):
    """One measurement of Shazeer's baseline (multi-head) and multi-query models."""

    multi_head: float
    multi_query: float
    unit: str
    what: str
    cited: Citation


MQA_DECODING = MhaVsMqa(
    multi_head=46.0,
    multi_query=3.8,
    unit="µs per token",
    what="incremental greedy decoding, decoder time per output token (TPUv2)",
    cited=Citation(MQA_PAPER, "Table 2"),  # discussed in §4.3
)
MQA_PERPLEXITY = MhaVsMqa(
    multi_head=1.424,
    multi_query=1.439,
    unit="",
    what="ln(perplexity) per subword token on the dev set",
    cited=Citation(MQA_PAPER, "Table 1"),
)


# ── choosing G: tensor parallelism, and training GQA from scratch ───────
GQA_SHARDING = CitedClaim(
    text="Standard sharding replicates MQA's single key and value head on every model "
    "partition; GQA removes the waste of that partitioning",
    cited=Citation(GQA_PAPER, "§2.2", page=2),
)
LLAMA2_TENSOR_PARALLEL = CitedClaim(
    text="On 8 A100 GPUs with tensor parallelism, MQA's KV heads were duplicated on every "
    "GPU, so its KV cache became equal to GQA's and the two ran alike",
    cited=Citation(LLAMA2, "§A.2.1"),  # with its Figure 24
)
LLAMA2_FROM_SCRATCH = CitedClaim(
    text="Llama 2 34B and 70B",  # the sizes trained with GQA from the start
    cited=Citation(LLAMA2, "Table 1"),
)
LLAMA2_ABLATION = CitedClaim(
    text="at 30B: GQA comparable to MHA on most tasks, above MQA on average",
    cited=Citation(LLAMA2, "Table 18"),  # discussed in §A.2.1
)
LLAMA2_FFN_WIDENED = CitedValue(
    value=1.3,
    unit="×",
    what="the GQA variant's FFN widened by this factor, so that it has as many parameters "
    "as MHA (MQA's by 1.33)",
    cited=Citation(LLAMA2, "§A.2.1"),
)
LLAMA3_KV_HEADS = CitedValue(
    value=8,
    unit="KV heads",
    what="Llama 3 8B, 70B and 405B all have 8 key/value heads",
    cited=Citation(LLAMA3, "Table 3"),
)


# ── after GQA: latent attention, windows, quantised and paged caches ────
@dataclass(frozen=True)
class MlaFigures(Cited):
    """DeepSeek-V2's multi-head latent attention: per token and layer it caches the
    compressed latent c^KV (d_c numbers) and the decoupled RoPE key (d_h^R numbers)."""

    latent: int  # d_c
    rope_key: int  # d_h^R
    head_dim: int  # d_h, the per-head dimension d_c and d_h^R are set against
    layers: int
    cited: Citation


# Table 1 gives the cache per token, (d_c + d_h^R)·l ≈ 9/2·d_h·l, and sets d_c = 4·d_h,
# d_h^R = d_h/2 ("equal to GQA with only 2.25 groups"); §3.1.2 gives d_c = 512,
# d_h^R = 64, d_h = 128 and 60 layers.
DEEPSEEK_V2_MLA = MlaFigures(
    latent=512, rope_key=64, head_dim=128, layers=60, cited=Citation(DEEPSEEK_V2, "Table 1")
)
MISTRAL_WINDOW = CitedValue(
    value=4096,
    unit="tokens",
    what="Mistral 7B's sliding window: each layer's rolling cache keeps the last 4,096 tokens",
    cited=Citation(MISTRAL_7B, "Table 1"),  # window_size; the rolling buffer cache, §2
)
KIVI_FINDING = CitedClaim(
    text="A 2-bit KV cache (keys quantised per channel, values per token) keeps almost the "
    "same quality",
    cited=Citation(KIVI, "abstract"),
)
PAGED_KV_CACHE = CitedClaim(
    text="PagedAttention stores the KV cache in fixed-size blocks that need not be "
    "contiguous, allocated as tokens arrive: near-zero waste of KV cache memory",
    cited=Citation(VLLM, "§4.1"),  # near-zero waste: the abstract
)
