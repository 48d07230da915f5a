"""Section: what Q, K and V mean, the attention formula, and its four steps one by one."""

from __future__ import annotations

import math

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    AnimationGroup,
    ReplacementTransform,
    VGroup,
    Write,
)

from deck import theme
from deck.components.formula import Formula
from deck.components.heads import grid_cell, head_grid
from deck.components.highlight import bracket, outline
from deck.components.page import slide_title
from deck.components.roles import OVERLAY
from deck.components.spec import sit_on
from deck.components.text import text
from deck.content.model import Model
from deck.content.sources import ATTENTION_IS_ALL_YOU_NEED
from deck.scenes.base import DeckSlide, beat
from deck.scenes.motion import fade_in, fade_out
from deck.talk import Talk

# "softmax" and "values" label the parts the last two steps explain; the first two
# explain the fraction's numerator and denominator (`Formula.fraction_parts`). A thick
# space before each labelled part keeps its outline clear of the glyph before it.
FORMULA = (
    '"Attention"(#q[$Q$], #k[$K$], #v[$V$]) = thick thick '
    '{{ display("softmax"((#q[$Q$] #k[$K$]^top) / sqrt(d_k))) : softmax }} thick '
    "{{ #v[$V$] : values }}"
)
# Q, K and V on thirds of the grid (columns 1-4, 5-8, 9-12), filling the body's height:
# the role, its question, its heads and their strip.
QKV_SPANS = ((1, 4), (5, 8), (9, 12))
QKV_COLUMNS = tuple(sum(theme.columns(*cols)) / 2 for cols in QKV_SPANS)
QKV_BASELINES = (1.05, -0.05, -0.75)
# Under each column its heads, one row per KV group, top down: the query heads of group i
# on the row of KV head i, whose key and value stand at the same height in their columns
# (the picture of what GQA shares). The grids fill the room under the heads' counts.
QKV_GRID_TOP = -1.2
QKV_GRID_HEIGHT = QKV_GRID_TOP - theme.CONTENT_BOTTOM
QKV_CELL_LARGEST = 0.3  # 40 px: a small model's few heads stay heads, not tiles
# the query heads' rows: a third of the grid, less a gutter each side, so that the
# three columns' heads stay apart
QKV_STRIP_WIDTH = theme.span(*QKV_SPANS[0]) - 2 * theme.GUTTER
STEP_COLUMN = 4.0  # width reserved for a step's formula, so descriptions share one left edge
STEP_PITCH = 0.95
ROLES_TITLE = "Queries, keys and values"
FORMULA_TITLE = "The attention formula"  # over the formula and its four steps


def qkv_cell(m: Model) -> float:
    """One head size in the three grids: the query heads' rows fitted to their room."""
    return grid_cell(m.n_kv_heads, m.group_size, QKV_STRIP_WIDTH, QKV_GRID_HEIGHT, QKV_CELL_LARGEST)


def qkv_grids(m: Model) -> VGroup:
    """Q's grid (a row per group), K's and V's (a head per row), on their columns."""
    cell = qkv_cell(m)
    grids = VGroup()
    for x, per_row, color in zip(
        QKV_COLUMNS, (m.group_size, 1, 1), (theme.Q, theme.K, theme.V), strict=True
    ):
        grid = head_grid(m.n_kv_heads, per_row, color, QKV_STRIP_WIDTH, cell)
        first = grid.rows[0].cells
        grid.shift([x - grid.get_x(), QKV_GRID_TOP - first.get_top()[1], 0])
        grids.add(grid)
    return grids


def step_rows(m) -> list[tuple[str, str, str]]:
    """(formula, description, part of the full formula it explains) for the four steps."""
    # the filled-in figures are part of the step's formula: one face for the math
    root = math.sqrt(m.head_dim)
    root_txt = f"= S slash {root:g}" if root.is_integer() else f"approx S slash {root:.1f}"
    return [
        ("S = #q[$Q$] #k[$K$]^top", "scores: every query against every key", "scores"),
        (
            f"S slash sqrt({m.head_dim}) {root_txt}",
            "keeps the score variance near 1",
            "scale",
        ),
        ('A = "softmax"(dots)', "per row: weights ≥ 0 that sum to 1", "softmax"),
        ("A #v[$V$]", "each output: weighted sum of value vectors", "values"),
    ]


def full_formula() -> Formula:
    return Formula(FORMULA, theme.SIZE.heading)


def formula_regions(f: Formula) -> dict[str, VGroup]:
    """The glyphs each step explains, by the labels of `FORMULA`."""
    numerator, denominator = f.fraction_parts("softmax")
    return {
        "scores": numerator,
        "scale": denominator,
        "softmax": f.select("softmax"),
        "values": f.select("values"),
    }


# The fraction's parts sit closer to its bar than an outline's gap: they are bracketed,
# open toward the bar, so that no edge lies on it.
OPEN_TOWARD_BAR = {"scores": DOWN, "scale": UP}


def focus_box(region: VGroup, name: str = "") -> VGroup:
    if name in OPEN_TOWARD_BAR:
        return bracket(region, OPEN_TOWARD_BAR[name], stroke=theme.STROKE, role=OVERLAY)
    return outline(region, stroke=theme.STROKE, role=OVERLAY)


def step_layout(m: Model) -> tuple[Formula, VGroup]:
    """The full formula at the top and the four step rows below it, both centred."""
    top = full_formula().align_to([0, theme.BODY_TOP, 0], UP).set_x(0)
    rows = VGroup()
    for n, (body, desc, _) in enumerate(step_rows(m), start=1):
        number = text(f"{n}", theme.SIZE.body, theme.MUTED)
        formula = Formula(body, theme.SIZE.subheading)
        description = text(desc, theme.SIZE.label)
        formula.next_to(number, RIGHT, buff=0.45)
        description.move_to([number.get_right()[0] + 0.45 + STEP_COLUMN, 0, 0], aligned_edge=LEFT)
        row = VGroup(number, formula, description)
        rows.add(row.move_to([0, -n * STEP_PITCH, 0], coor_mask=[0, 1, 0]))
    rows.next_to(top, DOWN, buff=theme.GAP_LARGE).set_x(0)
    return top, rows


class ScaledDotProduct(DeckSlide):
    SECTION = "Scaled dot-product attention"

    def construct(self) -> None:
        self.qkv_meaning()
        self.formula()
        self.step_scores()
        self.step_scale()
        self.step_softmax()
        self.step_values()

    @classmethod
    def last_frame(cls, talk: Talk) -> VGroup:
        top, steps = step_layout(talk.model)
        for row in steps[:-1]:
            row.set_color(theme.DIMMED)
        return VGroup(
            slide_title(FORMULA_TITLE), top, steps, focus_box(formula_regions(top)["values"])
        )

    def setup(self) -> None:
        super().setup()
        self.full = full_formula()
        self.step_top, self.steps = step_layout(self.model)
        self.focus = None

    def show_step(self, index: int) -> None:
        name = step_rows(self.model)[index][2]
        box = focus_box(formula_regions(self.full)[name], name)
        anims = [fade_in(self.steps[index], shift=RIGHT * theme.NUDGE)]
        if index:
            anims.append(self.steps[index - 1].animate.set_color(theme.DIMMED))
        anims.append(ReplacementTransform(self.focus, box) if self.focus else fade_in(box))
        self.play(*anims, run_time=theme.RUN)
        self.focus = box

    # ── beats ──────────────────────────────────────────────────────────
    @beat("""
        The three roles again: the query asks, the key offers, the value passes on. GQA
        shares what is offered and passed on, {m.n_kv_heads} heads, never what is asked,
        {m.n_heads} heads: the query heads of a row read the key and value on their row.
    """)
    def qkv_meaning(self) -> None:
        m = self.model
        roles = [
            ("Q", "Query", "what am I looking for?", theme.Q, m.n_heads),
            ("K", "Key", "what do I offer to be found?", theme.K, m.n_kv_heads),
            ("V", "Value", "what do I pass on?", theme.V, m.n_kv_heads),
        ]
        columns = VGroup()
        for x, (sym, name, question, color, heads) in zip(QKV_COLUMNS, roles, strict=True):
            rows = VGroup(
                text(f"{sym} = {name}", theme.SIZE.heading, color),
                text(f"“{question}”", theme.SIZE.label),
                text(
                    f"{heads} {'head' if heads == 1 else 'heads'} × {m.head_dim}",
                    theme.SIZE.body,
                    theme.MUTED,
                ),
            )
            for row, y in zip(rows, QKV_BASELINES, strict=True):
                sit_on(row.set_x(x), y)
            columns.add(rows)
        for rows, grid in zip(columns, qkv_grids(m), strict=True):
            rows.add(grid)
        self.qkv = VGroup(slide_title(ROLES_TITLE), columns)
        self.play(
            *self.leave_previous(),
            fade_in(self.qkv[0], shift=DOWN * theme.NUDGE),
            *(fade_in(col[0], shift=DOWN * theme.NUDGE) for col in columns),
            run_time=theme.RUN,
        )
        self.play(
            *(fade_in(VGroup(*col[1:]), shift=UP * theme.NUDGE) for col in columns),
            run_time=theme.RUN,
        )

    @beat(
        """
        Attention in one line, from the Transformer paper, per query head. Q times K
        transposed compares queries with keys; dividing by the square root of d_k (d_k is the
        head size, {m.head_dim}) keeps the scores in range; the softmax makes each row weights
        summing to one, which mix the values.
    """,
        cites=(ATTENTION_IS_ALL_YOU_NEED,),
    )
    def formula(self) -> None:
        self.full.move_to([0, (theme.BODY_TOP + theme.CONTENT_BOTTOM) / 2, 0])
        # a cross-fade: the roles leave while the formula is written, never an empty screen
        self.play(
            AnimationGroup(
                fade_out(self.qkv, shift=UP * theme.NUDGE, run_time=theme.RUN_FAST),
                fade_in(slide_title(FORMULA_TITLE), shift=DOWN * theme.NUDGE, run_time=theme.RUN),
                Write(self.full, run_time=theme.RUN_WRITE),
            )
        )

    @beat("""
        Step one: S is Q times K transposed, entry i, j scoring key j for query i. A
        group's {m.group_size} query heads score the same keys.
    """)
    def step_scores(self) -> None:
        self.play(self.full.animate.move_to(self.step_top), run_time=theme.RUN)
        self.show_step(0)

    @beat("""
        Step two: if the components are independent, zero-mean and unit-variance, a dot
        product of {m.head_dim} terms has variance {m.head_dim}, and such scores
        saturate the softmax, whose gradients vanish. Dividing by the square root of d_k
        restores a variance near 1.
    """)
    def step_scale(self) -> None:
        self.show_step(1)

    @beat("""
        Step three: the softmax turns each row into weights of at least zero summing to
        one. The causal mask first sets later keys' scores to minus infinity, so their
        weights are exactly zero.
    """)
    def step_softmax(self) -> None:
        self.show_step(2)

    @beat("""
        Step four: the weights mix the values. A group's {m.group_size} query heads read
        the same values, each with its own weights.
    """)
    def step_values(self) -> None:
        self.show_step(3)
