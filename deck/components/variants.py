"""One colour per way of sharing keys and values, the same on every slide that compares them."""

from __future__ import annotations

from deck import theme


def variant_color(name: str) -> str:
    """The colour of "MHA", "GQA" or "MQA" (as `Model.attention_variants` names them),
    read from the theme when called, so a talk's palette applies."""
    colors = {"MHA": theme.MHA, "GQA": theme.GQA, "MQA": theme.MQA}
    return colors[name]
