"""Draw the two pictures of this example talk from the shipped config.json files:
results.png, a bar chart of the KV cache each model keeps for one 4,096-token sequence
(fp16, with its KV heads and with one KV head per query head), and groups.svg, how
Llama 2 70B's 64 query heads share its 8 KV heads (shapes only: manim draws no SVG text).

    .venv/bin/python examples/own-slides/make_pictures.py
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
CONFIGS = HERE.parent.parent / "tests" / "data" / "configs"
MODELS = ("Mistral-7B-v0.1", "Meta-Llama-3-8B", "Qwen2.5-7B", "Llama-2-70b-hf")
TOKENS, BYTES = 4096, 2  # one sequence, fp16
WIDTH, HEIGHT = 1600, 900
INK, MUTED, MHA, GQA = "#1A1D24", "#4A5160", "#9B7BC4", "#166F90"


def kv_gib(config: dict, kv_heads: int) -> float:
    head_dim = config.get("head_dim") or config["hidden_size"] // config["num_attention_heads"]
    return 2 * config["num_hidden_layers"] * kv_heads * head_dim * TOKENS * BYTES / 2**30


def font(size: int) -> ImageFont.FreeTypeFont:
    found = subprocess.run(
        ["fc-match", "Inter", "--format=%{file}"], capture_output=True, text=True, check=True
    ).stdout
    return ImageFont.truetype(found, size)


def chart() -> None:
    rows = []
    for name in MODELS:
        config = json.loads((CONFIGS / name / "config.json").read_text())
        heads = config["num_attention_heads"]
        rows.append((name, kv_gib(config, heads), kv_gib(config, config["num_key_value_heads"])))
    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    label, small = font(34), font(28)
    left, top, bar, gap = 420, 90, 56, 70
    scale = (WIDTH - left - 260) / max(mha for _, mha, _ in rows)
    for i, (name, mha, gqa) in enumerate(rows):
        y = top + i * (2 * bar + gap)
        draw.text((40, y + bar - 18), name, fill=INK, font=label)
        for j, (value, colour) in enumerate(((mha, MHA), (gqa, GQA))):
            y0 = y + j * bar
            draw.rectangle((left, y0 + 6, left + value * scale, y0 + bar - 6), fill=colour)
            end = left + value * scale
            draw.text((end + 14, y0 + 10), f"{value:.2f} GiB", fill=INK, font=small)
    legend_y = HEIGHT - 80
    legend = ((left, MHA, "one KV head per query head"), (left + 560, GQA, "the model's KV heads"))
    for x, colour, text in legend:
        draw.rectangle((x, legend_y, x + 36, legend_y + 36), fill=colour)
        draw.text((x + 50, legend_y), text, fill=MUTED, font=small)
    image.save(HERE / "results.png", optimize=True)


def groups() -> None:
    """64 query heads in 8 rows, each row's KV head beside it."""
    cell, gap, rows, per_row = 22, 8, 8, 8
    shapes = []

    def square(x: float, y: float, colour: str) -> str:
        return f'<rect x="{x}" y="{y}" width="{cell}" height="{cell}" rx="4" fill="{colour}"/>'

    for r in range(rows):
        y = 10 + r * (cell + 2 * gap)
        shapes += [square(10 + c * (cell + gap), y, "#B8860B") for c in range(per_row)]
        kv_x = 10 + per_row * (cell + gap) + 60
        middle = y + cell / 2
        shapes.append(
            f'<line x1="{kv_x - 54}" y1="{middle}" x2="{kv_x - 6}" y2="{middle}" '
            'stroke="#4A5160" stroke-width="3"/>'
        )
        shapes += [square(kv_x, y, "#C0392B"), square(kv_x + cell + gap, y, "#2E8B57")]
    width = 10 + per_row * (cell + gap) + 60 + 2 * cell + gap + 10
    height = 10 + rows * (cell + 2 * gap)
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">\n  ' + "\n  ".join(shapes) + "\n</svg>\n"
    )
    (HERE / "groups.svg").write_text(svg)


if __name__ == "__main__":
    chart()
    groups()
