"""Models side by side: query heads, KV heads, group size and KV cache per token, computed
from each model's dimensions."""

from __future__ import annotations

from collections.abc import Sequence

from manim import UP, VGroup

from deck import format as fmt
from deck import theme
from deck.components.diagram import connector
from deck.components.highlight import outline
from deck.components.spec import fit_width, table
from deck.content.model import Model

HEADER = ("model", "query heads", "KV heads", "group size", "KV cache per token")
NUMERIC = (False, True, True, True, True)  # numbers align on their right edge
RULE_OVERHANG = 0.15  # the rule under the header reaches this far past the columns
# between columns: the numbers stand right-aligned under long headings, so the heading
# words themselves keep the columns apart; the table then fits the content width
COLUMN_GAP = theme.GUTTER


def model_row(m: Model) -> tuple[str, ...]:
    return (
        m.title,
        str(m.n_heads),
        str(m.n_kv_heads),
        str(m.group_size),
        fmt.nbytes(m.kv_cache_bytes(1)),
    )


class ModelTable(VGroup):
    """A header, a rule and one row per model, at most `width` wide; `highlight`'s row (if
    listed) in `color` and outlined. `.header`, `.rule`, `.rows` and `.mark` (None without
    a highlight)."""

    def __init__(
        self,
        models: Sequence[Model],
        highlight: Model | None = None,
        color: str | None = None,
        width: float = theme.CONTENT_WIDTH,
    ):
        color = theme.GQA if color is None else color
        grid = table(
            [HEADER, *(model_row(m) for m in models)],
            theme.SIZE.body,
            colors=(theme.TEXT,),
            align_right=NUMERIC,
            gap=COLUMN_GAP,
        )
        # a config's long folder name as a model can widen the table past `width`, the
        # outline's room included: the table shrinks to fit before the outline is drawn
        fit_width(
            grid,
            width - 2 * max(theme.OUTLINE_ROOM, RULE_OVERHANG) - theme.STROKE * theme.STROKE_UNIT,
        )
        self.header, *rows = grid.rows
        self.header.set_color(theme.MUTED)
        self.rows = VGroup(*rows)
        # the rule keeps HIGHLIGHT_GAP clear of the first row's outline (one drawn on it
        # bled into the teal in the video: x264's 4:2:0 chroma of two touching colours)
        rule_y = (self.header.get_bottom()[1] + self.rows[0].get_top()[1]) / 2
        above_mark = self.rows[0].get_top()[1] + 2 * theme.HIGHLIGHT_GAP
        above_mark += 2 * theme.STROKE * theme.STROKE_UNIT
        if rule_y < above_mark:
            self.header.shift((above_mark - rule_y) * UP)
            rule_y = above_mark
        self.rule = connector(
            [grid.get_left()[0] - RULE_OVERHANG, rule_y, 0],
            [grid.get_right()[0] + RULE_OVERHANG, rule_y, 0],
        )
        self.mark = None
        parts = [self.header, self.rule, self.rows]
        if highlight is not None and highlight in models:
            row = self.rows[list(models).index(highlight)]
            row.set_color(color)
            self.mark = outline(row, color, stroke=theme.STROKE)
            parts.append(self.mark)
        super().__init__(*parts)
