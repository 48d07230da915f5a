"""Outlines of neighbouring cells stay apart: the previous-token slide outlines a diagonal
of heatmap cells, whose square outlines would overlap at every corner."""

from __future__ import annotations

import itertools

import numpy as np

from deck import theme
from deck.content.model import get_preset
from deck.scenes.attention_weights import heatmap_layout, previous_token_parts

PIXEL = 8 / 1080  # one pixel at 1080p, in frame units


def test_the_diagonal_outlines_of_the_previous_token_head_do_not_touch():
    example, heatmap, _, card_left = heatmap_layout(get_preset("demo-1b"))
    _, marks, _ = previous_token_parts(example, heatmap, theme.CONTENT_RIGHT - card_left)
    assert len(marks) == len(example.tokens) - 1
    stroke = theme.STROKE_HIGHLIGHT * theme.STROKE_UNIT
    for a, b in itertools.pairwise(marks):
        # the stroke's centre lines, sampled densely; each stroke reaches half its width out
        pa = np.array([a.point_from_proportion(t) for t in np.linspace(0, 1, 400)])
        pb = np.array([b.point_from_proportion(t) for t in np.linspace(0, 1, 400)])
        nearest = np.min(np.linalg.norm(pa[:, None, :2] - pb[None, :, :2], axis=2))
        assert nearest - stroke > 2 * PIXEL, f"outlines {nearest - stroke:.3f} apart"
