"""The GQA data-flow diagram: nodes, orthogonal connectors, and the whole layout.

x → Q/K/V projections → (K, V) repeat_kv → scaled dot-product attention → O → x'.
Every connector is vertical: Q drops straight into attention beside repeat_kv, and
K and V each enter repeat_kv and attention at their own column, so no two lines merge.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from manim import DOWN, RIGHT, UP, Line, RoundedRectangle, VGroup

from deck import theme
from deck.components.roles import BOX, LINE, tag
from deck.components.text import stack, text
from deck.content.model import Model
from deck.format import shape

NODE_HEIGHT = 0.85
NODE_PAD_X = 0.18
ROW_STEP = 1.2  # centre-to-centre distance of the diagram's rows: under a slide title
COLUMN_GAP = 0.2
IO_GAP = 0.22  # between the input/output label and its connector's node
IO_LINE_GAP = 0.06  # a connector stops short of the x and x′ glyphs, never touching them


class Node(VGroup):
    """A rounded box with a title line and a detail line, both centred."""

    def __init__(self, title: str, detail: str, color: str, width: float):
        self.label = stack(
            text(title, theme.SIZE.detail, color),
            text(detail, theme.SIZE.detail, theme.TEXT),
            buff=0.1,
            align=UP * 0,
        )
        self.box = tag(
            RoundedRectangle(
                width=width,
                height=NODE_HEIGHT,
                corner_radius=theme.CORNER,
                stroke_color=color,
                stroke_width=theme.STROKE,
                fill_color=color,
                fill_opacity=0.10,
            ),
            BOX,
        )
        self.label.move_to(self.box)
        super().__init__(self.box, self.label)


def io_label(symbol: str, hidden: int) -> VGroup:
    """The symbol and its size: the projections' input and output width is said here once,
    so that the nodes only say what they make (narrow columns: a card fits beside them)."""
    return VGroup(
        text(symbol, theme.SIZE.body),
        text(f"hidden states, {hidden}", theme.SIZE.caption, theme.MUTED),
    ).arrange(RIGHT, buff=0.15)


def connector(start: np.ndarray, end: np.ndarray) -> Line:
    return tag(Line(start, end, color=theme.LINE, stroke_width=theme.STROKE), LINE)


@dataclass
class FlowDiagram:
    x_in: VGroup
    q: Node
    k: Node
    v: Node
    repeat: Node
    attention: Node
    out_proj: Node
    x_out: VGroup
    lines: VGroup

    @property
    def nodes(self) -> VGroup:
        return VGroup(self.q, self.k, self.v, self.repeat, self.attention, self.out_proj)

    @property
    def projections(self) -> VGroup:
        return VGroup(self.q, self.k, self.v)

    def group(self) -> VGroup:
        return VGroup(self.x_in, self.nodes, self.lines, self.x_out)


def projection_details(m: Model) -> dict[str, str]:
    """What each projection makes from the hidden states (the O projection: from what)."""
    return {
        "q": f"→ {shape(m.n_heads, m.head_dim)}",
        "kv": f"→ {shape(m.n_kv_heads, m.head_dim)}",
        "o": f"{shape(m.n_heads, m.head_dim)} → x′",  # x′'s width is said under it
    }


def flow_diagram(m: Model, center_x: float, top: float) -> FlowDiagram:
    """Lay the diagram out with its columns centred on `center_x`, its input label at `top`."""
    d = projection_details(m)
    probe = [text(s, theme.SIZE.detail) for s in (*d.values(), "Q projection")]
    col_w = max(p.width for p in probe) + 2 * NODE_PAD_X
    step = col_w + COLUMN_GAP
    xs = {"q": center_x - step, "k": center_x, "v": center_x + step}

    # the symbol sits on the column's axis, so the connector leaves from under it
    x_in = io_label("x", m.hidden)
    x_in.move_to([center_x, top - x_in.height / 2, 0]).shift(RIGHT * (center_x - x_in[0].get_x()))
    row_y = x_in.get_bottom()[1] - 2 * IO_GAP - NODE_HEIGHT / 2

    q = Node("Q projection", d["q"], theme.Q, col_w)
    k = Node("K projection", d["kv"], theme.K, col_w)
    v = Node("V projection", d["kv"], theme.V, col_w)
    for node, key in ((q, "q"), (k, "k"), (v, "v")):
        node.move_to([xs[key], row_y, 0])

    kv_span = xs["v"] - xs["k"] + col_w
    repeat = Node("repeat_kv", f"{m.n_kv_heads} → {m.n_heads} heads", theme.REPEAT, kv_span)
    repeat.move_to([(xs["k"] + xs["v"]) / 2, row_y - ROW_STEP, 0])

    attention = Node(
        "Scaled dot-product attention",
        f"{m.n_heads} heads, causal",
        theme.ATTENTION,
        xs["v"] - xs["q"] + col_w,
    )
    attention.move_to([center_x, row_y - 2 * ROW_STEP, 0])

    out_proj = Node("O projection", d["o"], theme.OUTPUT, col_w)
    out_proj.move_to([center_x, row_y - 3 * ROW_STEP, 0])

    x_out = io_label("x′", m.hidden)
    x_out.next_to(out_proj, DOWN, buff=IO_GAP).shift(RIGHT * (center_x - x_out[0].get_x()))

    split_y = (x_in.get_bottom()[1] + q.get_top()[1]) / 2
    lines = VGroup(
        connector([center_x, x_in.get_bottom()[1] - IO_LINE_GAP, 0], [center_x, split_y, 0]),
        connector([xs["q"], split_y, 0], [xs["v"], split_y, 0]),
        *(connector([x, split_y, 0], [x, q.get_top()[1], 0]) for x in xs.values()),
        connector(q.get_bottom(), [xs["q"], attention.get_top()[1], 0]),
        *(connector(n.get_bottom(), [n.get_x(), repeat.get_top()[1], 0]) for n in (k, v)),
        *(
            connector([x, repeat.get_bottom()[1], 0], [x, attention.get_top()[1], 0])
            for x in (xs["k"], xs["v"])
        ),
        connector(attention.get_bottom(), out_proj.get_top()),
        connector(out_proj.get_bottom(), [center_x, x_out.get_top()[1] + IO_LINE_GAP, 0]),
    )
    return FlowDiagram(x_in, q, k, v, repeat, attention, out_proj, x_out, lines)
