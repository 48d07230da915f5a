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
    "ATTENTION_IS_ALL_YOU_NEED",
    "CONVERSION_ABLATION",
    "GEMMA2",
    "GQA_FAMILY",
    "GQA_FIGURE1",
    "GQA_FIGURE2",
    "GQA_FIGURE3",
    "GQA_PAPER",
    "GROUPS_FINDING",
    "INDUCTION_HEADS",
    "LLAMA3",
    "MEAN_POOL_CONVERSION",
    "MISTRAL_7B",
    "MQA_DECODING",
    "MQA_PAPER",
    "MQA_PERPLEXITY",
    "QWEN25",
    "REFERENCES",
    "ROFORMER",
    "TABLE1",
    "UPTRAINING_ALPHA",
    "UPTRAINING_CHIP_DAYS",
    "UPTRAINING_FINDING",
    "Citation",
    "Cited",
    "CitedClaim",
    "CitedValue",
    "MhaVsMqa",
    "Reference",
    "Table1",
    "Table1Row",
    "reference",
]

ARXIV_ID = re.compile(r"\d{4}\.\d{4,5}")  # the post-2007 form: YYMM.NNNNN


@dataclass(frozen=True)
class Reference:
    """One paper, as the closing slide lists it."""

    authors: str  # short form: "Ainslie et al."
    year: int
    title: str
    arxiv: str  # the bare id, "2305.13245"
    venue: str = ""  # where it was published, if not on arXiv only

    def __post_init__(self) -> None:
        if not ARXIV_ID.fullmatch(self.arxiv):
            raise ValueError(f"{self.authors} {self.year}: bad arXiv id {self.arxiv!r}")

    @property
    def arxiv_id(self) -> str:
        """The id as a slide prints it: arXiv:2305.13245."""
        return f"arXiv:{self.arxiv}"

    @property
    def short(self) -> str:
        """How a slide names the paper: Ainslie et al. 2023."""
        return f"{self.authors} {self.year}"

    def citation(self) -> str:
        """One line for the references slide: authors year. Title. Venue. arXiv id."""
        return ". ".join(
            part for part in (self.short, self.title, self.venue, self.arxiv_id) if part
        )


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


# ── references (in the order the closing slide lists them) ──────────────
GQA_PAPER = Reference(
    "Ainslie et al.",
    2023,
    "GQA: Training Generalized Multi-Query Transformer Models from Multi-Head Checkpoints",
    "2305.13245",
    venue="EMNLP 2023",  # Proceedings, pages 4895–4901
)
MQA_PAPER = Reference(
    "Shazeer", 2019, "Fast Transformer Decoding: One Write-Head is All You Need", "1911.02150"
)
ATTENTION_IS_ALL_YOU_NEED = Reference(
    "Vaswani et al.", 2017, "Attention Is All You Need", "1706.03762", venue="NeurIPS 2017"
)
ROFORMER = Reference(
    "Su et al.", 2021, "RoFormer: Enhanced Transformer with Rotary Position Embedding", "2104.09864"
)
INDUCTION_HEADS = Reference(  # the heatmap's previous-token head
    "Olsson et al.",
    2022,
    "In-context Learning and Induction Heads",
    "2209.11895",
    venue="Transformer Circuits Thread",
)
# Dubey: the first author of arXiv v1–v2 (the paper's byline is "Llama Team, AI @ Meta").
LLAMA3 = Reference("Dubey et al.", 2024, "The Llama 3 Herd of Models", "2407.21783")
MISTRAL_7B = Reference("Jiang et al.", 2023, "Mistral 7B", "2310.06825")
QWEN25 = Reference("Qwen Team", 2024, "Qwen2.5 Technical Report", "2412.15115")
GEMMA2 = Reference(
    "Gemma Team", 2024, "Gemma 2: Improving Open Language Models at a Practical Size", "2408.00118"
)

REFERENCES: tuple[Reference, ...] = (
    GQA_PAPER,
    MQA_PAPER,
    ATTENTION_IS_ALL_YOU_NEED,
    ROFORMER,
    INDUCTION_HEADS,
    LLAMA3,
    MISTRAL_7B,
    QWEN25,
    GEMMA2,
)


def reference(arxiv: str) -> Reference:
    """The reference with this arXiv id ("2305.13245" or "arXiv:2305.13245")."""
    bare = arxiv.removeprefix("arXiv:")
    for ref in REFERENCES:
        if ref.arxiv == bare:
            return ref
    known = ", ".join(r.arxiv_id for r in REFERENCES)
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
    text="Going from 1 group (MQA) to 8 adds modest inference time; more groups cost "
    "increasingly more",
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
