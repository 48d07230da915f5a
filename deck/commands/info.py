"""`deck info`: a model's derived figures as a small aligned table (the numbers the slides show)."""

from __future__ import annotations

import argparse

from deck import format as fmt
from deck.content.model import PRESETS, Model
from deck.project import Project
from deck.talk import Talk

GAP = "  "
SMALLEST_PERCENT = 0.001  # parts below 0.1 % are written "< 0.1 %", not "0 %"


def _table(rows: list[tuple[str, ...]], align: str) -> list[str]:
    """Cells padded per column: "l" left (labels, words), "r" right (numbers line up)."""
    widths = [max(len(row[i]) for row in rows if i < len(row)) for i in range(len(align))]
    lines = []
    for row in rows:
        cells = [
            cell.ljust(width) if side == "l" else cell.rjust(width)
            for cell, width, side in zip(row, widths, align, strict=False)
        ]
        lines.append(GAP.join(cells).rstrip())
    return lines


def _share(part: int, total: int) -> str:
    return "< 0.1 %" if part / total < SMALLEST_PERCENT else fmt.percent(part / total)


def _bytes(n: int) -> tuple[str, str]:
    return f"{fmt.integer(n)} B", fmt.nbytes(n)


def _parameter_rows(m: Model) -> list[tuple[str, ...]]:
    total = m.params()
    rows = [("parameters", fmt.integer(total), fmt.billions(total))]
    for part, count in m.param_breakdown().items():
        rows.append((f"  {part}", fmt.integer(count), _share(count, total)))
    return [*rows, (f"weights ({m.dtype})", *_bytes(m.weight_bytes()))]


def _shape_rows(m: Model) -> list[tuple[str, ...]]:
    rope = f"{m.rope_base:,.0f}" if m.rope_base.is_integer() else f"{m.rope_base:,}"
    rows = [
        ("layers", fmt.integer(m.n_layers)),
        ("hidden size", fmt.integer(m.hidden)),
        ("query / KV heads", f"{m.n_heads} / {m.n_kv_heads}", f"group size {m.group_size}"),
        ("head dim", fmt.integer(m.head_dim), f"q_proj → {fmt.integer(m.q_out)}"),
        ("FFN", fmt.integer(m.ffn), m.ffn_kind),
        ("vocabulary", fmt.integer(m.vocab), f"{m.embeddings} embeddings"),
        ("max length", fmt.integer(m.max_len), "tokens"),
        ("precision", m.dtype, f"{m.dtype_bytes} bytes"),
        ("RoPE base", rope, f"{m.rope_scaling} scaling" if m.rope_scaling else ""),
    ]
    if m.sliding_window is not None:
        rows.append(
            (
                "sliding window",
                fmt.integer(m.sliding_window),
                f"tokens kept on {m.sliding_layers} of {m.n_layers} layers",
            )
        )
    return rows


def _kv_rows(m: Model) -> list[tuple[str, ...]]:
    rows = [
        (
            f"KV cache ({m.dtype})",
            "per token",
            "",
            f"at {fmt.integer(m.max_len)} tokens",
            "",
            "reaches the weights at",
        )
    ]
    variants = (
        (f"MHA ({m.n_heads} KV heads)", m.n_heads),
        (f"this model ({m.n_kv_heads} KV heads)", m.n_kv_heads),
        ("MQA (1 KV head)", 1),
    )
    for label, kv in variants:
        reached = m.kv_reaches_weights_at(kv)
        rows.append(
            (
                f"  {label}",
                *_bytes(m.kv_cache_bytes(1, kv)),
                *_bytes(m.kv_cache_bytes(m.max_len, kv)),
                "never" if reached is None else f"{fmt.integer(reached)} tokens",
            )
        )
    return rows


def _heading(m: Model) -> str:
    if PRESETS.get(m.name) == m:
        return f"{m.title}  (preset {m.name}; {m.source})"
    return f"{m.title}  ({m.name}, from {m.source})"


def describe(m: Model) -> str:
    """The whole table; one blank line between parameters, shapes and the KV cache."""
    blocks = [
        [_heading(m)],
        _table(_parameter_rows(m), "lrr"),
        _table(_shape_rows(m), "lrl"),
        _table(_kv_rows(m), "lrrrrr"),
    ]
    if m.sliding_window is not None:
        blocks.append(
            [
                f"The KV cache holds at most {fmt.integer(m.sliding_window)} tokens on each of "
                f"the {m.sliding_layers} sliding-window layers."
            ]
        )
    return "\n\n".join("\n".join(block) for block in blocks)


def run(args: argparse.Namespace, talk: Talk, project: Project) -> int:
    print(describe(talk.model))
    return 0
