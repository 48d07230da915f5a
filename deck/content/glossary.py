"""The talk's terms, each with the beat that defines it and the forms it is found by.

A term must not appear on screen or in the notes of a slide before the beat that defines
it (tests/scenes/test_glossary.py checks every talk the tests build). To add a term, add
one row to `TERMS`: its name, the (scene, beat) whose notes define it, and a regular
expression for its forms (case-sensitive unless the pattern says `(?i:...)`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Term:
    name: str
    scene: str  # the scene class whose beat defines the term
    beat: str
    forms: str  # a regular expression for every way the slides write the term
    pattern: re.Pattern = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pattern", re.compile(self.forms))

    @property
    def defined_in(self) -> tuple[str, str]:
        return self.scene, self.beat

    def found_in(self, text: str) -> bool:
        return self.pattern.search(text) is not None


TERMS: tuple[Term, ...] = (
    # the title slide: attention in one line, and what GQA shares
    Term(
        "Q, K, V: query, key, value",
        "Opening",
        "title",
        r"\b[QKV]\b|(?i:\bquer(?:y|ies)\b|\bkeys?\b)",
    ),
    Term("query head", "Opening", "title", r"(?i:\bquery heads?\b)"),
    Term(
        "KV head",
        "Opening",
        "title",
        r"(?i:\bKV heads?\b|\bkey/value heads?\b|\bkey and value heads?\b)",
    ),
    Term("GQA, grouped-query attention", "Opening", "title", r"\bGQA\b|(?i:grouped-query)"),
    # why GQA
    Term("decoding", "WhyGQA", "memory_bound", r"(?i:\bdecod(?:e|es|ing)\b)"),
    Term("KV cache", "WhyGQA", "memory_bound", r"(?i:\bKV[- ]cache|\bcache[sd]?\b)"),
    Term("MHA, multi-head attention", "WhyGQA", "fill_kv_heads", r"\bMHA\b|(?i:multi-head)"),
    Term("MQA, multi-query attention", "WhyGQA", "fill_kv_heads", r"\bMQA\b|(?i:multi-query)"),
    # the family: one word for each count (GQA-G has G groups of `group size` query heads)
    Term("GQA-G", "Family", "family", r"\bGQA-(?:G|\d+)\b"),
    Term("groups G", "Family", "family", r"\bG groups\b|(?i:\bnumber of groups\b)"),
    Term("group size", "Family", "family", r"(?i:\bgroup[ \u00a0]size\b)"),
    # the data flow
    Term("repeat_kv", "DataFlow", "data_flow", r"repeat_kv"),
    Term("RoPE, rotary position embedding", "DataFlow", "rope", r"\bRoPE\b|(?i:\brotary\b)"),
    # decoding token by token
    Term("prefill", "Decoding", "prefill", r"(?i:\bprefill)"),
    # the formula
    Term("softmax", "ScaledDotProduct", "formula", r"(?i:softmax)"),
    Term("d_k, the head size", "ScaledDotProduct", "formula", r"\bd_k\b"),
    Term("causal mask", "ScaledDotProduct", "step_softmax", r"(?i:\bcausal mask)"),
    Term("previous-token head", "AttentionWeights", "previous_token", r"(?i:previous-token)"),
    # the conversion
    Term("mean-pooling", "Conversion", "mean_pool", r"(?i:\bmean-pool)"),
    Term("uptraining", "Conversion", "uptraining", r"(?i:\buptrain)"),
    # what came after GQA
    Term("MLA, multi-head latent attention", "BeyondGQA", "smaller_caches", r"\bMLA\b|(?i:latent)"),
    Term(
        "a quantised cache (fp8, int4)",
        "BeyondGQA",
        "smaller_caches",
        r"\bfp8\b|\bint4\b|(?i:quantis)",
    ),
    Term("a paged cache (vLLM)", "BeyondGQA", "smaller_caches", r"\bvLLM\b|(?i:\bpaged\b)"),
)
