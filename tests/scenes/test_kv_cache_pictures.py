"""The pictures of the why-GQA, family and decoding sections show what the model implies:
the chart's curves, the query-head → KV-head wiring and the cache columns, checked against
figures computed here from the raw dimensions."""

from __future__ import annotations

import json

import numpy as np
import pytest

from deck.components.cache_columns import HEAD_GAP
from deck.components.family import Sharing
from deck.components.roles import HEAD, role_of
from deck.content.model import PRESETS
from deck.scenes.decoding import legend, panels
from deck.scenes.scaled_dot_product import qkv_grids
from deck.scenes.why_gqa import chart_frame, chart_lines
from tests.conftest import BIG_CONFIGS as BIG
from tests.conftest import CONFIGS, talk_for

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


@pytest.mark.parametrize(
    "name", [*PRESETS, "Llama-2-70b-hf", "synthetic-128-16", "synthetic-128-1"]
)
def test_cache_columns_keep_the_caches_true_proportion(name):
    """MHA's and GQA's columns share one scale, so the picture shows the bytes the counters
    count: their heights stand as the config's query heads to its KV heads (whole cells
    when the KV heads fill them), no column reaches into the legend, and the legend says
    how many KV heads a cell is, a number that makes the cells add up to the heads."""
    raw = json.loads((CONFIGS / name / "config.json").read_text()) if name in BIG else None
    m = talk_for(name).model
    heads, kv = (
        (raw["num_attention_heads"], raw["num_key_value_heads"])
        if raw
        else (m.n_heads, m.n_kv_heads)
    )
    said = legend(m)[-1].original_text
    per = 1 if said == "one cell: one KV head" else int(said.split()[2])
    mha, gqa = panels(m)
    for panel, n in ((mha, heads), (gqa, kv)):
        key, value = panel.cache.columns[0]
        whole = [c for c in key if role_of(c) == HEAD]
        assert len(whole) == n // per and len(key) == len(value)
        key_of = legend(m)
        for column in panel.cache.columns:  # a column under the legend stays under it
            if column.get_right()[0] > key_of.get_left()[0]:
                assert column.get_top()[1] < key_of.get_bottom()[1]
    height = mha.cache.columns[0][0][0].height
    if kv >= per:  # one cell height in both; the bars, gaps included, as heads to KV heads
        assert gqa.cache.columns[0][0][0].height == pytest.approx(height)
        tall, short = (p.cache.columns[0][0] for p in (mha, gqa))
        pitch = height / (1 - HEAD_GAP)
        assert (tall.height + pitch - height) / (short.height + pitch - height) == pytest.approx(
            heads / kv
        )


@pytest.mark.parametrize(
    "name", [*PRESETS, "Llama-2-70b-hf", "synthetic-128-16", "synthetic-128-1"]
)
def test_each_group_of_query_heads_sits_on_the_row_of_its_kv_head(name):
    """The roles slide's grids: a row per KV group, group i's query heads at the height of
    key i and value i; every group drawn whole up to 8 rows, past that 7 and a line."""
    m = talk_for(name).model
    heads, kv = m.n_heads, m.n_kv_heads
    if name in BIG:
        raw = json.loads((CONFIGS / name / "config.json").read_text())
        heads, kv = raw["num_attention_heads"], raw["num_key_value_heads"]
    q, k, v = qkv_grids(m)
    rows = kv if kv <= 8 else 7
    assert len(q.rows) == len(k.rows) == len(v.rows) == rows
    for i in range(rows):
        assert q.rows[i].cells.get_y() == pytest.approx(k.rows[i].cells.get_y())
        assert k.rows[i].cells.get_y() == pytest.approx(v.rows[i].cells.get_y())
        assert len(k.rows[i].cells) == len(v.rows[i].cells) == 1
        if not q.rows[i].row.capped:
            assert len(q.rows[i].cells) == heads // kv
    assert (q.summary is None) == (kv <= 8)
