"""Section: after GQA. The KV cache of one long sequence, computed for the talk's model,
under the designs that shrink it further: multi-head latent attention (DeepSeek-V2), a
sliding window (Mistral 7B), a cache quantised to fp8 or int4, beside MHA, the model's GQA
and MQA; and paged caches (vLLM), which store the same bytes without waste."""

from __future__ import annotations

from manim import DOWN, LEFT, RIGHT, UP, GrowFromEdge, LaggedStart, VGroup

from deck import format as fmt
from deck import theme
from deck.components.bars import Bar, compact_bar_chart
from deck.components.page import named_group, slide_title
from deck.components.spec import baseline, lines
from deck.components.text import text
from deck.components.variants import variant_color as family_color
from deck.content.cache_variants import (
    CacheVariant,
    cache_variants,
    comparison_tokens,
    deepseek_v2_cache_numbers,
)
from deck.content.model import Model
from deck.content.sources import (
    DEEPSEEK_V2,
    DEEPSEEK_V2_MLA,
    KIVI,
    KIVI_FINDING,
    MISTRAL_7B,
    MISTRAL_WINDOW,
    PAGED_KV_CACHE,
    ROFORMER,
    VLLM,
)
from deck.content.wrap import text_width, wrap
from deck.scenes.base import DeckSlide, beat
from deck.scenes.motion import fade_in
from deck.talk import Talk

CHART_TOP_GAP = 0.35  # between the titles and the first bar
PAGED_GAP = 0.15  # between the chart's last bar and the row on paged caches
SOURCE_PITCH_EM = 1.2  # the source's two lines, if it needs two
SOURCE_SEPARATOR = " · "
PAGED = "the same bytes in blocks allocated as tokens arrive: near-zero waste"


def variant_color(kind: str) -> str:
    """MHA, GQA and MQA in their meaning colours, everything that builds on GQA (a window,
    fp8, int4) in GQA's, MLA, which is no variant of the family, in the text colour."""
    if kind == "MLA":
        return theme.TEXT
    return family_color(kind) if kind in ("MHA", "MQA") else theme.GQA


def variant_bar(v: CacheVariant) -> Bar:
    return Bar(v.name, v.note, v.bytes, fmt.nbytes(v.bytes), variant_color(v.kind))


def source_lines(sources: list[str]) -> VGroup:
    """The slide's sources, bottom left in the smallest size like `page.source_line`: on
    one line if they fit the content's width, else on two split between sources where
    the lines come out most even."""
    size = theme.SIZE.caption
    joined = SOURCE_SEPARATOR.join

    def widest(rows: list[list[str]]) -> float:
        return max(text_width(joined(row), size) for row in rows)

    rows = [sources]
    if widest(rows) > theme.CONTENT_WIDTH:
        splits = [[sources[:i], sources[i:]] for i in range(1, len(sources))]
        rows = min(splits, key=widest)
    block = lines([joined(row) for row in rows], size, theme.MUTED, pitch_em=SOURCE_PITCH_EM)
    return block.move_to([theme.CONTENT_LEFT, theme.CONTENT_BOTTOM, 0], aligned_edge=DOWN + LEFT)


def paged_row(chart: VGroup) -> VGroup:
    """Paged caches (vLLM) as one more row of the chart, without a bar: its name in the
    names' column, what it does where the bars start (wrapped if the row is too narrow)."""
    name_of_last, bar_of_last, *_ = chart.rows[-1]
    name = text("paged (vLLM)", theme.SIZE.label)
    name.move_to([name_of_last.get_left()[0], 0, 0], aligned_edge=LEFT)
    name.shift(UP * (chart.get_bottom()[1] - PAGED_GAP - name.get_top()[1]))
    left = bar_of_last.get_left()[0]
    what = lines(
        wrap(PAGED, theme.SIZE.detail, theme.CONTENT_RIGHT - left), theme.SIZE.detail, theme.MUTED
    )
    what.shift([left - what.get_left()[0], baseline(name) - baseline(what[0]), 0])
    return VGroup(name, what)


def beyond_picture(m: Model) -> VGroup:
    """Titles, the chart of caches with paged caches as a last row, and the sources."""
    tokens = comparison_tokens(m)
    # the model is named in the GQA row; a long context costs what it would, past the
    # model's own maximum when that is shorter
    subtitle = f"KV cache of one {fmt.integer(tokens)}-token sequence; " + (
        f"the model's max: {fmt.integer(m.max_len)}"
        if tokens > m.max_len
        else "the model's max length"
    )
    titles = slide_title("After GQA: smaller caches still", subtitle)
    chart = compact_bar_chart(
        [variant_bar(v) for v in cache_variants(m, tokens)], theme.CONTENT_WIDTH
    )
    chart.move_to(
        [theme.CONTENT_LEFT, titles.get_bottom()[1] - CHART_TOP_GAP, 0], aligned_edge=UP + LEFT
    )
    paged = paged_row(chart)
    source = source_lines(
        [
            DEEPSEEK_V2_MLA.source,
            MISTRAL_WINDOW.source,
            KIVI_FINDING.source,
            PAGED_KV_CACHE.source,
        ]
    )
    return named_group(titles=titles, chart=chart, paged=paged, source=source)


class BeyondGQA(DeckSlide):
    SECTION = "After GQA"

    def construct(self) -> None:
        self.smaller_caches()

    @classmethod
    def last_frame(cls, talk: Talk) -> VGroup:
        return beyond_picture(talk.model)

    @classmethod
    def note_fields(cls, model: Model) -> dict[str, object]:
        tokens = comparison_tokens(model)
        sizes = {v.kind: fmt.spoken_bytes(v.bytes) for v in cache_variants(model, tokens)}
        return {
            "tokens": fmt.spoken(tokens),
            "past_max": (
                f", past its {fmt.spoken_tokens(model.max_len)} maximum,"
                if tokens > model.max_len
                else ""
            ),
            "sizes": sizes,
            "deepseek": fmt.spoken(deepseek_v2_cache_numbers()),
            "layers": DEEPSEEK_V2_MLA.layers,
            "window": fmt.spoken_tokens(int(MISTRAL_WINDOW.value)),  # said: 4K
        }

    @beat(
        """
        At {tokens} tokens{past_max} {m.title} caches {sizes[GQA]}. DeepSeek-V2's latent
        attention, MLA, caches a compressed vector and a small RoPE key per layer:
        {sizes[MLA]}. Mistral's {window}-token window keeps the latest: {sizes[window]}.
        Fewer bits per number: fp8 halves it, int4 quarters it. vLLM's server
        pages the cache in blocks: no waste.
    """,
        cites=(
            ROFORMER,
            MISTRAL_7B,
            DEEPSEEK_V2,
            VLLM,
            KIVI,
        ),
    )
    def smaller_caches(self) -> None:
        pic = beyond_picture(self.model)
        self.enter(pic.titles, pic.source)
        self.play(
            LaggedStart(
                *(
                    fade_in(VGroup(name, value, note), shift=RIGHT * theme.NUDGE)
                    for name, _, value, note in pic.chart.rows
                ),
                *(GrowFromEdge(bar, LEFT) for _, bar, _, _ in pic.chart.rows),
                lag_ratio=theme.LAG,
            ),
            run_time=theme.RUN_ROWS,
        )
        self.play(fade_in(pic.paged, shift=UP * theme.NUDGE), run_time=theme.RUN_FAST)
