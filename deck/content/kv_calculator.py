"""The KV-cache calculator's data: everything its page needs, from the model and the theme.

The page (deck/export/templates/kv_calculator.*) computes the cache with
`Model.kv_cache_bytes`'s formula from the per-model constants written here, in exact
integers; tests/test_calculator.py compares the two to the byte. Nothing here is computed
twice: the weights' size, the dtypes' widths and the units come from the model and
format modules as they are.
"""

from __future__ import annotations

import math
from typing import Any

from deck import format as fmt
from deck import theme
from deck.content.model import DTYPE_BYTES, Model
from deck.content.widgets import Widget

TEMPLATE = "kv_calculator.html.j2"
# The context slider (issue 15): 1K to 128K tokens on a log scale, an eighth of a doubling
# per step; the steps between powers of two round to a multiple of 64 tokens.
TOKENS_MIN, TOKENS_MAX = 1024, 128 * 1024
STEPS_PER_DOUBLING = 8
TOKEN_MULTIPLE = 64
BATCH_MIN, BATCH_MAX = 1, 256
FRAME_HEIGHT = 2 * theme.FRAME_HALF_HEIGHT


def token_steps() -> list[int]:
    """The token counts the slider stops at, smallest first; every power of two is one."""
    doublings = round(math.log2(TOKENS_MAX / TOKENS_MIN))
    return [
        TOKEN_MULTIPLE * round(TOKENS_MIN * 2 ** (i / STEPS_PER_DOUBLING) / TOKEN_MULTIPLE)
        for i in range(doublings * STEPS_PER_DOUBLING + 1)
    ]


def nearest_step(steps: list[int], tokens: int) -> int:
    """The slider position closest to `tokens` on the log scale."""
    return min(range(len(steps)), key=lambda i: abs(math.log2(steps[i] / tokens)))


def model_constants(m: Model) -> dict[str, Any]:
    """What the page needs of one model. Byte counts travel as strings: the page reads
    them as BigInt, so no figure depends on a double's 53 bits."""
    return {
        "name": m.name,
        "title": m.title,
        "layers": m.n_layers,
        "head_dim": m.head_dim,
        "max_len": m.max_len,
        "dtype": m.dtype,
        "windows": list(m.layer_windows),  # [] or one per layer; null: the whole context
        "variants": [[name, kv] for name, kv in m.attention_variants],
        "params": m.params(),
        "weight_bytes": str(m.weight_bytes()),
    }


def _height_share(units: float) -> str:
    """A length in manim units as a share of the slide's height (CSS container units)."""
    return f"{100 * units / FRAME_HEIGHT:.4g}cqh"


def style() -> dict[str, str]:
    """The theme as CSS custom properties (read now, so the page follows the talk's theme)."""
    colours = {
        "background": theme.BACKGROUND,
        "panel": theme.PANEL,
        "text": theme.TEXT,
        "muted": theme.MUTED,
        "line": theme.LINE,
        "title": theme.TITLE,
        "focus": theme.HIGHLIGHT,
        "warning": theme.TEXT,  # with weight: the hues are kept for meanings
        "mha": theme.MHA,
        "gqa": theme.GQA,
        "mqa": theme.MQA,
        "weights": theme.WEIGHTS,
    }
    sizes = {
        f"size-{step}": _height_share(theme.em(getattr(theme.SIZE, step)))
        for step in ("heading", "body", "label", "detail", "caption")
    }
    lengths = {
        "margin": _height_share(theme.MARGIN_Y),
        "gap": _height_share(theme.GAP),
        "gap-large": _height_share(theme.GAP_LARGE),
        "header-x": _height_share(theme.HEADER_INSET),
        "header-y": _height_share(theme.FRAME_HALF_HEIGHT - theme.HEADER_Y),
        "content-top": _height_share(theme.FRAME_HALF_HEIGHT - theme.TITLE_TOP),
    }
    return {**colours, **sizes, **lengths}


def calculator_widget(
    models: list[Model], selected: Model, header: str, counter: str, notes: str = ""
) -> Widget:
    """The calculator over `models`, `selected` first shown, at its max length; `header`
    and `counter` are the slide's section title and number, as its video shows them;
    `notes` what the speaker says over it."""
    steps = token_steps()
    return Widget(
        TEMPLATE,
        {
            "header": header,
            "counter": counter,
            "font": theme.FONT,
            "style": style(),
            "models": [model_constants(m) for m in models],
            "model": selected.name,
            "dtypes": [[name, size] for name, size in DTYPE_BYTES.items()],
            "dtype": selected.dtype,
            "units": list(fmt.BINARY_UNITS),
            "token_steps": steps,
            "token_step": nearest_step(steps, selected.max_len),
            "batch": [BATCH_MIN, BATCH_MAX],
        },
        notes,
    )
