"""The pictures of the why-GQA, family and decoding sections show what the model implies:
the chart's curves, the query-head → KV-head wiring and the cache columns, checked against
figures computed here from the raw dimensions."""

from __future__ import annotations

import numpy as np
import pytest

from deck.components.family import Sharing
from deck.content.model import PRESETS
from deck.scenes.decoding import COLUMNS_TOP, panels
from deck.scenes.why_gqa import chart_frame, chart_lines
from tests.conftest import talk_for

SLOPE_TOLERANCE = 1e-6


def segment_ends(curve) -> list[tuple[np.ndarray, np.ndarray]]:
    return [(seg.get_start(), seg.get_end()) for seg in curve]


@pytest.mark.parametrize("name", ["Mistral-7B-v0.1", *PRESETS])
def test_the_cache_curves_flatten_at_a_full_sliding_window(name):
    m = talk_for(name).model
    window = max((w for w in m.layer_windows if w is not None), default=None)
    chart = chart_frame(m)
    window_x = chart.point(window, 1)[0] if window else None
    for curve in chart_lines(chart, m, 1).curves:
        for start, end in segment_ends(curve):
            rising = end[1] - start[1] > SLOPE_TOLERANCE
            before_window = window_x is None or end[0] <= window_x + SLOPE_TOLERANCE
            assert rising == before_window, (name, start, end)


@pytest.mark.parametrize("name", list(PRESETS))
def test_the_curves_end_at_the_cache_of_the_full_context(name):
    """The curves' right ends stand in the ratio of their KV heads (MHA : GQA : MQA), and
    each batch's ends sit log2(batch) doublings above the single sequence's."""
    m = PRESETS[name]
    chart = chart_frame(m)
    one, many = chart_lines(chart, m, 1), chart_lines(chart, m, 2)
    per_doubling = chart.point(1, 2)[1] - chart.point(1, 1)[1]
    ends = [curve[-1].get_end()[1] for curve in one.curves]
    heads = [m.n_heads, m.n_kv_heads, 1]
    for i in range(len(ends) - 1):
        doublings = (ends[i] - ends[i + 1]) / per_doubling
        assert doublings == pytest.approx(np.log2(heads[i] / heads[i + 1]))
    for single, batched in zip(one.curves, many.curves, strict=True):
        assert batched[-1].get_end()[1] - single[-1].get_end()[1] == pytest.approx(per_doubling)


@pytest.mark.parametrize(
    ("n_heads", "n_kv_heads"), [(24, 4), (32, 8), (28, 4), (64, 8), (8, 1), (128, 16), (128, 1)]
)
def test_each_query_head_is_wired_to_its_group_s_kv_head(n_heads, n_kv_heads):
    """Every drawn query head is wired to its group's KV head; a row that cannot draw
    them all draws whole groups from the first (or, for one big group, its first heads
    and its last) and says how many there are."""
    group = n_heads // n_kv_heads
    drawn = Sharing(n_heads, n_kv_heads, width=10.0, row_gap=0.6)
    heads = list(drawn.row.heads)
    assert len(drawn.queries) == len(heads) and heads == sorted(set(heads))
    assert drawn.kv_heads == sorted({h // group for h in heads})
    if len(heads) < n_heads:
        if n_kv_heads == 1:
            assert heads[-1] == n_heads - 1 and heads[:-1] == list(range(len(heads) - 1))
            assert drawn.row.summary == f"all {n_heads} heads"
        else:
            assert heads == list(range(len(heads))) and len(heads) % group == 0
            assert drawn.row.summary == (
                f"… {n_heads} heads" if group == 1 else f"… {n_kv_heads} groups of {group}"
            )
    for h, link in zip(heads, drawn.links, strict=True):
        assert np.allclose(link.get_end(), drawn.queries[heads.index(h)].get_bottom())
        key = drawn.keys[drawn.kv_heads.index(h // group)]
        assert np.allclose(link.get_start(), key.get_top())


def test_many_heads_stay_visible():
    """64 query heads still get cells of at least 12 px at 1080p (135 px per unit)."""
    drawn = Sharing(64, 64, width=10.3, row_gap=0.6)
    assert drawn.queries[0].width * 135 >= 12


@pytest.mark.parametrize("name", [*PRESETS, "Llama-2-70b-hf", "synthetic-128-1"])
def test_cache_columns_grow_with_the_kv_heads(name):
    """MHA's and GQA's columns share one scale: a cell per KV head, of one height in both
    caches, so the picture shows the bytes the counters count; a column too tall for the
    slide stops at its top with "⋮" and its true head count."""
    m = talk_for(name).model
    mha, gqa = panels(m)
    for panel, heads in ((mha, m.n_heads), (gqa, m.n_kv_heads)):
        column = panel.cache.columns[0]
        key, value = column[0], column[1]
        assert len(key) == len(value)
        if len(key) < heads:
            assert column[2].original_text == f"⋮ {heads}"
            assert column.get_top()[1] <= COLUMNS_TOP + 1e-6
        else:
            assert len(key) == heads and len(column) == 2
    assert mha.cache.columns[0][0][0].height == pytest.approx(gqa.cache.columns[0][0][0].height)
