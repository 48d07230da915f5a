"""deck.content.sources against the published figures, written out here as literals.

The literals are copied from the papers: GQA, Ainslie et al. 2023, Table 1 and §3.1;
MQA, Shazeer 2019, Tables 1 and 2.
"""

from __future__ import annotations

import dataclasses
import inspect
import re

import pytest

from deck.content import sources
from deck.content.sources import (
    CONVERSION_ABLATION,
    GQA_FAMILY,
    GQA_FIGURE1,
    GQA_FIGURE2,
    GQA_FIGURE3,
    GQA_PAPER,
    GROUPS_FINDING,
    MEAN_POOL_CONVERSION,
    MQA_DECODING,
    MQA_PERPLEXITY,
    REFERENCES,
    TABLE1,
    UPTRAINING_ALPHA,
    UPTRAINING_CHIP_DAYS,
    UPTRAINING_FINDING,
    Citation,
    CitedClaim,
    CitedValue,
    MhaVsMqa,
    Reference,
    Table1,
    reference,
)


# ── the figures ─────────────────────────────────────────────────────────
def test_table1_is_the_papers_time_per_sample_and_average_score():
    rows = [(r.model, r.seconds_per_sample, r.average) for r in TABLE1.rows]
    assert rows == [
        ("MHA-Large", 0.37, 46.0),
        ("MHA-XXL", 1.51, 47.2),
        ("MQA-XXL", 0.24, 46.6),
        ("GQA-8-XXL", 0.28, 47.1),
    ]
    assert [(r.attention, r.size) for r in TABLE1.rows] == [
        ("MHA", "Large"),
        ("MHA", "XXL"),
        ("MQA", "XXL"),
        ("GQA-8", "XXL"),
    ]
    assert TABLE1.row("GQA-8-XXL").seconds_per_sample == 0.28
    with pytest.raises(ValueError, match="GQA-4-XXL"):
        TABLE1.row("GQA-4-XXL")


def test_uptraining_is_five_percent_of_the_pre_training_steps():
    assert UPTRAINING_ALPHA.value == 0.05
    assert UPTRAINING_CHIP_DAYS.value == 600 and UPTRAINING_CHIP_DAYS.unit == "TPUv3 chip-days"


def test_mqa_figures_are_shazeers():
    assert (MQA_DECODING.multi_head, MQA_DECODING.multi_query) == (46.0, 3.8)
    assert MQA_DECODING.unit == "µs per token" and "TPUv2" in MQA_DECODING.what
    assert (MQA_PERPLEXITY.multi_head, MQA_PERPLEXITY.multi_query) == (1.424, 1.439)


# ── where each figure comes from ────────────────────────────────────────
def test_each_figure_names_its_source():
    assert TABLE1.source == "Ainslie et al. 2023, Table 1"
    assert TABLE1.cited.full == "Ainslie et al. 2023, Table 1, p. 3 (arXiv:2305.13245)"
    assert UPTRAINING_ALPHA.source == "Ainslie et al. 2023, §3.1"
    assert MEAN_POOL_CONVERSION.source == GQA_FAMILY.source == "Ainslie et al. 2023, §2.2"
    assert CONVERSION_ABLATION.source == "Ainslie et al. 2023, Figure 4"
    assert UPTRAINING_FINDING.source == "Ainslie et al. 2023, Figure 5"
    assert GROUPS_FINDING.source == "Ainslie et al. 2023, Figure 6"
    assert MQA_DECODING.source == "Shazeer 2019, Table 2"
    assert MQA_PERPLEXITY.source == "Shazeer 2019, Table 1"
    # Shazeer's pages were not checked: the citation then names the table alone.
    assert MQA_DECODING.cited.full == "Shazeer 2019, Table 2 (arXiv:1911.02150)"


def test_gqa_pages_are_the_checked_ones():
    pages = {
        c.where: c.page
        for c in (
            GQA_FIGURE1,
            GQA_FIGURE2,
            GQA_FIGURE3,
            TABLE1.cited,
            UPTRAINING_ALPHA.cited,
            MEAN_POOL_CONVERSION.cited,
            CONVERSION_ABLATION.cited,
            UPTRAINING_FINDING.cited,
            GROUPS_FINDING.cited,
        )
    }
    assert pages == {
        "Figure 1": 1,
        "Figure 2": 2,
        "Figure 3": 3,
        "Table 1": 3,
        "§3.1": 2,
        "§2.2": 2,
        "Figure 4": 4,
        "Figure 5": 4,
        "Figure 6": 4,
    }


def _cited_constants():
    kinds = (Citation, CitedValue, CitedClaim, MhaVsMqa, Table1)
    return {n: v for n, v in vars(sources).items() if n.isupper() and isinstance(v, kinds)}


def test_every_cited_constant_has_a_source_of_the_form_authors_year_where():
    constants = _cited_constants()
    assert len(constants) >= 13
    for name, value in constants.items():
        cited = value if isinstance(value, Citation) else value.cited
        assert cited.reference in REFERENCES, name
        where = r"(Table \d+|Figure \d+|§[A-Z\d](\.\d)*|Appendix [A-Z]|Limitations|abstract)"
        assert re.fullmatch(rf"[A-Z][\w .-]+ (19|20)\d\d, {where}", cited.source), name
        assert cited.page is None or cited.page >= 1, name


# ── the references ──────────────────────────────────────────────────────
def test_references_are_the_talks_works_in_order():
    assert [r.arxiv_id or r.repository for r in REFERENCES] == [
        "arXiv:2305.13245",  # Ainslie et al. 2023, GQA
        "arXiv:1911.02150",  # Shazeer 2019, MQA
        "arXiv:1706.03762",  # Vaswani et al. 2017
        "arXiv:2104.09864",  # Su et al. 2021, RoFormer
        "arXiv:2209.11895",  # Olsson et al. 2022, induction heads
        "arXiv:2407.21783",  # Llama 3
        "arXiv:2310.06825",  # Mistral 7B
        "arXiv:2205.14135",  # FlashAttention
        "arXiv:2307.09288",  # Llama 2
        "arXiv:2405.04434",  # DeepSeek-V2
        "arXiv:2309.06180",  # vLLM, PagedAttention
        "arXiv:2402.02750",  # KIVI
        "GitHub ViperEkura/AstrAI, scripts/tools/benchmark.py",  # the default model's choices
    ]
    assert [r.short for r in REFERENCES[:5]] == [
        "Ainslie et al. 2023",
        "Shazeer 2019",
        "Vaswani et al. 2017",
        "Su et al. 2021",
        "Olsson et al. 2022",
    ]


def test_every_reference_is_well_formed_and_cites_in_one_line():
    for r in REFERENCES:
        assert dataclasses.is_dataclass(r) and r.__dataclass_params__.frozen
        assert re.fullmatch(r"arXiv:\d{4}\.\d{4,5}", r.arxiv_id) or (
            not r.arxiv and r.repository.startswith("GitHub ")
        ), r
        assert r.year is None or 1990 < r.year < 2100
        assert r.authors and r.title
        line = r.citation()
        assert "\n" not in line
        assert line.startswith(f"{r.short}. {r.title}.")
        assert line.endswith(r.arxiv_id or r.repository)
    assert GQA_PAPER.citation() == (
        "Ainslie et al. 2023. GQA: Training Generalized Multi-Query Transformer Models from "
        "Multi-Head Checkpoints. EMNLP 2023. arXiv:2305.13245"
    )
    assert len({r.arxiv for r in REFERENCES if r.arxiv}) == len(REFERENCES) - 1


def test_a_reference_is_named_by_its_authors_or_its_names():
    assert GQA_PAPER.used_in("as the GQA paper shows") and GQA_PAPER.used_in("Ainslie et al.")
    assert not GQA_PAPER.used_in("grouped-query attention")
    with pytest.raises(ValueError, match="arXiv id or a repository"):
        Reference("X et al.", 2020, "T")


def test_references_are_found_by_arxiv_id_and_bad_ids_are_refused():
    assert reference("arXiv:2305.13245") is GQA_PAPER is reference("2305.13245")
    with pytest.raises(ValueError, match="no reference with arXiv id"):
        reference("2401.00001")
    with pytest.raises(ValueError, match="bad arXiv id"):
        Reference("X et al.", 2020, "T", "arXiv:2001.00001")
    with pytest.raises(dataclasses.FrozenInstanceError):
        GQA_PAPER.year = 2024


def test_nothing_carries_an_http_address():
    # The HTML export rejects "http(s)://" anywhere in the page: keep the module free of it.
    assert "http" not in inspect.getsource(sources).lower()
    for r in REFERENCES:
        assert "http" not in r.citation().lower()
    for value in _cited_constants().values():
        assert "http" not in repr(value).lower()
