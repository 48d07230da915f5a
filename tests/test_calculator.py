"""The HTML deck's live KV-cache calculator in a real, offline Chromium.

Every figure the page shows is checked against deck/content/model.py computed here, to the byte,
on a grid of models, context lengths, batch sizes and dtypes; the page's byte formatting
against deck/format.py; the keyboard against reveal.js. Runs against presentations/gqa.html
(`uv run deck build --quality low`); a second page for a model with sliding windows is
written from the same renders.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from pathlib import Path

import pytest
from PIL import Image

from deck import format as fmt
from deck import theme
from deck.content.hfconfig import load_config
from deck.content.kv_calculator import STEPS_PER_DOUBLING, TOKENS_MAX, TOKENS_MIN
from deck.content.model import DTYPE_BYTES, PRESETS, Model
from deck.export import export
from deck.export.writer import ExportOptions
from deck.project import THIS_PROJECT
from deck.scenes import SCENE_NAMES, live_slides
from deck.talk import Talk
from tests.test_browser import Deck
from tests.test_export import at

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
STILL = ROOT / "docs" / "still-calculator.png"
STILL_SIZE = {"width": 1920, "height": 1080}
CONFIGS = Path(__file__).parent / "data" / "configs"
BATCHES = (1, 3, 256)
POSITION_STRIDE = 4  # every 4th slider stop, both ends, and the model's max length

# Sets the controls as a user would (value, then the event the control fires) for every
# combination, and reads what each variant's row shows: [tokens, {kv: [bytes, text]}].
SWEEP = """([root, model, positions, batches, dtypes]) => {
    const el = root.querySelector.bind(root);
    const set = (name, value, event) => {
        const c = el(`[name="${name}"]`);
        c.value = String(value);
        c.dispatchEvent(new Event(event, { bubbles: true }));
    };
    set("model", model, "change");
    const out = [];
    for (const p of positions) for (const b of batches) for (const d of dtypes) {
        set("tokens", p, "input");
        set("batch", b, "input");
        set("dtype", d, "change");
        const rows = {};
        for (const row of root.querySelectorAll("[data-bytes]")) {
            rows[row.dataset.kv || "weights"] =
                [row.dataset.bytes, row.querySelector(".kvc-value").textContent];
        }
        out.push([p, b, d, Number(el(".kvc-tokens").dataset.tokens), rows]);
    }
    return out;
}"""


class Calculator:
    """The deck open on the calculator's slide."""

    def __init__(self, chromium, html_path: Path):
        self.deck = Deck(chromium, html_path)
        self.index = self.deck.js("Reveal.getSlides().findIndex(s => s.querySelector('.kvc'))")
        assert self.index >= 1, "no calculator slide in the deck"
        self.deck.js(f"Reveal.slide({self.index})")
        self.root = self.deck.page.locator(".kvc")

    def field(self, name: str):
        return self.deck.page.locator(f'.kvc [name="{name}"]')

    def stops(self) -> int:
        return int(self.field("tokens").get_attribute("max")) + 1

    def sweep(self, m: Model, positions, batches=BATCHES, dtypes=tuple(DTYPE_BYTES)):
        handle = self.root.element_handle()
        return self.deck.page.evaluate(SWEEP, [handle, m.name, positions, batches, dtypes])


@pytest.fixture(scope="module")
def calculator(browser, deck_html):
    calc = Calculator(browser, deck_html)
    yield calc
    calc.deck.close()


def nearest_stop(tokens: int) -> int:
    """The slider stop closest to `tokens` (unclamped)."""
    return round(math.log2(tokens / TOKENS_MIN) * STEPS_PER_DOUBLING)


def grid_positions(stops: int, m: Model) -> list[int]:
    near_max = min(max(nearest_stop(m.max_len), 0), stops - 1)
    return sorted({*range(0, stops, POSITION_STRIDE), stops - 1, near_max})


def check_sweep(results, m: Model) -> int:
    """Each row's data-bytes is Model.kv_cache_bytes (weights: weight_bytes), and its
    text deck/format.py's nbytes of it; returns the number of figures checked."""
    checked = 0
    for position, batch, dtype, tokens, rows in results:
        assert TOKENS_MIN <= tokens <= TOKENS_MAX
        if position % STEPS_PER_DOUBLING == 0:  # the stops on powers of two are exact
            assert tokens == TOKENS_MIN * 2 ** (position // STEPS_PER_DOUBLING)
        expected = {
            name.lower(): m.kv_cache_bytes(tokens, kv, batch, dtype)
            for name, kv in m.attention_variants
        }
        expected["weights"] = m.weight_bytes()
        shown = {key: int(value) for key, (value, _) in rows.items()}
        assert shown == expected, (m.name, tokens, batch, dtype)
        assert {key: text for key, (_, text) in rows.items()} == {
            key: fmt.nbytes(n) for key, n in expected.items()
        }
        checked += len(rows)
    return checked


@pytest.mark.parametrize("preset", list(PRESETS))
def test_figures_match_the_model_to_the_byte(calculator, preset):
    m = PRESETS[preset]
    positions = grid_positions(calculator.stops(), m)
    results = calculator.sweep(m, positions)
    assert len(results) == len(positions) * len(BATCHES) * len(DTYPE_BYTES)
    assert check_sweep(results, m) == 4 * len(results)
    # the token counts rise with the slider, from 1K to 128K
    every = calculator.sweep(m, list(range(calculator.stops())), (1,), ("bfloat16",))
    counts = [tokens for _, _, _, tokens, _ in every]
    assert counts == sorted(set(counts)) and counts[0] == TOKENS_MIN and counts[-1] == TOKENS_MAX
    assert not calculator.deck.errors and not calculator.deck.blocked


@pytest.fixture(scope="module")
def windowed_page(tmp_path_factory, deck_html) -> tuple[Path, Talk]:
    """The deck's page for Gemma 2 9B (a sliding window on every other layer), exported
    from the default preset's low-quality renders (the videos do not matter here)."""
    talk = Talk(load_config(CONFIGS / "gemma-2-9b"))
    slides = THIS_PROJECT.build(Talk.for_preset(), "low").slides
    folder = tmp_path_factory.mktemp("calculator")
    options = ExportOptions(interactive=live_slides(talk))
    (path,) = export(at(slides, folder, "gemma"), SCENE_NAMES, ("html",), options=options)
    return path, talk


def test_sliding_windows_and_a_config_model(browser, windowed_page):
    path, talk = windowed_page
    calc = Calculator(browser, path)
    try:
        options = calc.deck.js("[...document.querySelectorAll('.kvc option')].map(o => o.value)")
        assert options[: len(PRESETS) + 1] == [*PRESETS, talk.model.name]
        assert calc.field("model").input_value() == talk.model.name
        assert calc.field("dtype").input_value() == talk.model.dtype  # float32 in this config
        results = calc.sweep(talk.model, grid_positions(calc.stops(), talk.model))
        check_sweep(results, talk.model)
        status = calc.deck.js("document.querySelector('.kvc-status').textContent")
        assert status == "Sliding window: 21 of 42 layers keep only the last 4,096 tokens."
        assert not calc.deck.errors and not calc.deck.blocked
    finally:
        calc.deck.close()


def format_grid() -> list[int]:
    """Integers where binary formatting can go wrong: unit edges, rounding ties (1.25 KiB
    is "1.3 KiB", halves rounded up), .x5 and .x95 boundaries, and numbers past 2**53."""
    numbers = set(range(0, 2100)) | {10**k for k in range(19)}
    for power in range(1, 6):
        unit = 1024**power
        for tenths in range(0, 10250, 7):
            base = unit * tenths // 10
            numbers |= {base - 1, base, base + 1, base + unit // 20, base + unit // 20 - 1}
    numbers |= {2**53 - 1, 2**53 + 1, 2**60 + 12345, 2**70 - 1, 3 * 2**51 + 1}
    return sorted(n for n in numbers if n >= 0)


def test_page_writes_bytes_as_python_does(calculator):
    grid = format_grid()
    shown = calculator.deck.page.evaluate(
        "([root, ns]) => ns.map(n => root.kvCalculator.nbytes(n))",
        [calculator.root.element_handle(), [str(n) for n in grid]],
    )
    wrong = [(n, s, fmt.nbytes(n)) for n, s in zip(grid, shown, strict=True) if s != fmt.nbytes(n)]
    assert not wrong, f"{len(wrong)} of {len(grid)} differ, e.g. {wrong[:5]}"
    integers = [0, 7, 999, 1000, 131072, 9_241_705_984, 10**15]
    js = calculator.deck.page.evaluate(
        "([root, ns]) => ns.map(n => root.kvCalculator.integer(n))",
        [calculator.root.element_handle(), integers],
    )
    assert js == [fmt.integer(n) for n in integers]


def focused_name(deck: Deck) -> str | None:
    return deck.js("document.activeElement && document.activeElement.getAttribute('name')")


def test_keyboard_reaches_it_and_leaves_it(browser, deck_html):
    calc = Calculator(browser, deck_html)
    deck, keys, at = calc.deck, calc.deck.page.keyboard, calc.index
    try:
        deck.js(f"Reveal.slide({at - 1})")
        deck.page.locator("body").focus()
        keys.press("ArrowRight")
        assert deck.index() == at
        keys.press("ArrowRight")
        assert deck.index() == at + 1
        keys.press("ArrowLeft")
        assert deck.index() == at

        # Tab walks into the slide's controls, in order
        order = []
        for _ in range(4):
            keys.press("Tab")
            order.append(focused_name(deck))
        assert order == ["model", "tokens", "batch", "dtype"]

        # the slider keeps its arrow keys while it has focus
        slider = calc.field("tokens")
        slider.focus()
        start = int(slider.input_value())
        keys.press("ArrowRight")
        keys.press("ArrowRight")
        assert int(slider.input_value()) == start + 2 and deck.index() == at
        keys.press("ArrowLeft")
        assert int(slider.input_value()) == start + 1 and deck.index() == at
        keys.press("End")
        assert int(slider.input_value()) == calc.stops() - 1
        tokens = deck.js("document.querySelector('.kvc-tokens').dataset.tokens")
        assert tokens == str(2**17)
        # so does the model picker (reveal.js would take a select's arrows)
        calc.field("model").focus()
        before = calc.field("model").input_value()
        keys.press("ArrowDown")
        assert deck.index() == at and calc.field("model").input_value() != before

        # Escape hands the keyboard back to the deck: navigation works again
        keys.press("Escape")
        assert focused_name(deck) is None and not deck.js("Reveal.isOverview()")
        # and the next Tab enters at the first control again, not after the one left
        calc.field("batch").focus()
        keys.press("Escape")
        keys.press("Tab")
        assert focused_name(deck) == "model"
        keys.press("Escape")
        keys.press("ArrowRight")
        assert deck.index() == at + 1
        keys.press("ArrowLeft")
        assert deck.index() == at

        # a clicker's page key leaves the control and turns the page
        slider.focus()
        keys.press("PageDown")
        assert deck.index() == at + 1 and focused_name(deck) is None
        # leaving the slide any other way takes the focus along
        keys.press("ArrowLeft")
        calc.field("batch").focus()
        deck.js("Reveal.next()")
        assert deck.index() == at + 1 and focused_name(deck) is None
        keys.press("ArrowLeft")
        assert deck.index() == at
        assert not deck.errors and not deck.blocked
    finally:
        deck.close()


SCALE_AND_CHEVRON = """root => {
    const field = root.querySelector('.kvc-context').getBoundingClientRect();
    const marks = [...root.querySelectorAll('.kvc-scale span')].map(m => {
        const r = m.getBoundingClientRect(); return [m.textContent, r.left, r.right]; });
    const select = getComputedStyle(root.querySelector('select'));
    return {field: [field.left, field.right], marks, appearance: select.appearance,
            chevron: parseFloat(select.backgroundSize),
            height: root.getBoundingClientRect().height};
}"""


@pytest.mark.parametrize("width, height", [(1280, 720), (1920, 1080), (3840, 2160)])
def test_the_slider_marks_and_the_chevron_scale_with_the_screen(browser, deck_html, width, height):
    calc = Calculator(browser, deck_html)
    try:
        calc.deck.page.set_viewport_size({"width": width, "height": height})
        got = calc.deck.page.evaluate(SCALE_AND_CHEVRON, calc.root.element_handle())
        left, right = got["field"]
        marks = got["marks"]
        assert [m[0] for m in marks][-1] == "128K"
        # within the field the controls above them span, and apart from one another
        assert marks[0][1] >= left - 0.5 and marks[-1][2] <= right + 0.5, (got["field"], marks)
        gaps = [b[1] - a[2] for a, b in itertools.pairwise(marks)]
        assert min(gaps) > 0.1 * (marks[-1][2] - marks[-1][1]), gaps
        # the model and dtype pickers' chevron is 1 % of the slide's height, not the
        # browser's fixed-size one
        assert got["appearance"] == "none"
        assert got["chevron"] >= 0.009 * got["height"], got
    finally:
        calc.deck.close()


def test_batch_input_accepts_only_1_to_256(calculator):
    batch = calculator.field("batch")
    for typed, used in (("12", "12"), ("0", "12"), ("257", "12"), ("", "12"), ("256", "256")):
        batch.fill(typed)
        gqa = int(calculator.root.locator('[data-kv="gqa"]').get_attribute("data-bytes"))
        m = PRESETS[calculator.field("model").input_value()]
        tokens = int(calculator.root.locator(".kvc-tokens").get_attribute("data-tokens"))
        dtype = calculator.field("dtype").input_value()
        assert gqa == m.kv_cache_bytes(tokens, m.n_kv_heads, int(used), dtype), typed
        assert (batch.get_attribute("aria-invalid") == "true") == (typed != used)
    batch.fill("0")
    batch.blur()  # leaving an invalid entry puts the value in use back
    assert batch.input_value() == "256"


def test_still_for_the_readme(browser, deck_html, request):
    """docs/still-calculator.png: Llama 3 8B at its 8,192 tokens, batch 16
    (`pytest tests/test_calculator.py --update-golden` retakes it)."""
    if not request.config.getoption("--update-golden"):
        assert STILL.is_file(), "no README still: run this test with --update-golden"
        assert Image.open(STILL).size == (STILL_SIZE["width"], STILL_SIZE["height"])
        return
    calc = Calculator(browser, deck_html)
    try:
        calc.deck.page.set_viewport_size(STILL_SIZE)
        calc.field("model").select_option("llama-3-8b")
        calc.field("tokens").fill(str(nearest_stop(8192)))
        calc.field("batch").fill("16")
        calc.deck.js("document.activeElement.blur()")  # no focus ring in the picture
        calc.deck.page.wait_for_timeout(300)  # the bars' width transition
        calc.deck.screenshot().save(STILL)
    finally:
        calc.deck.close()


# Every element that shows text on the page: its colour, and the colour behind it (the
# nearest ancestor with an opaque background), both as the browser computed them.
TEXT_COLOURS = """(root) => {
    const opaque = (el) => {
        for (; el; el = el.parentElement) {
            const bg = getComputedStyle(el).backgroundColor;
            if (bg && !bg.startsWith("rgba(0, 0, 0, 0)") && bg !== "transparent") return bg;
        }
        return null;
    };
    const out = [];
    for (const el of root.querySelectorAll("*")) {
        const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
        if (!own || el.offsetParent === null) continue;
        out.push([el.className || el.tagName, getComputedStyle(el).color, opaque(el)]);
    }
    return out;
}"""


def _hex(css: str) -> str:
    r, g, b = (int(float(v)) for v in css[css.index("(") + 1 : css.index(")")].split(",")[:3])
    return f"#{r:02X}{g:02X}{b:02X}"


@pytest.fixture(scope="module")
def light_page(tmp_path_factory, deck_html) -> Path:
    """The default talk's page in the light theme (exported from the low-quality renders:
    the calculator's colours come from the talk, not from the videos)."""
    talk = dataclasses.replace(Talk.for_preset(), theme="light")
    slides = THIS_PROJECT.build(Talk.for_preset(), "low").slides
    folder = tmp_path_factory.mktemp("calculator-light")
    options = ExportOptions(interactive=live_slides(talk))
    (path,) = export(at(slides, folder, "light"), SCENE_NAMES, ("html",), options=options)
    return path


def test_follows_the_talks_light_theme_and_its_text_stands_out(browser, light_page):
    calc = Calculator(browser, light_page)
    try:
        found = calc.deck.page.evaluate(TEXT_COLOURS, calc.root.element_handle())
    finally:
        calc.deck.close()
    assert found, "no text on the calculator's page"
    # the page's own background is the talk's slide, its controls on the talk's card fill
    backgrounds = {_hex(bg) for _, _, bg in found if bg}
    assert theme.LIGHT.BACKGROUND in backgrounds
    assert backgrounds <= {theme.LIGHT.BACKGROUND, theme.LIGHT.PANEL}, backgrounds
    weak = {
        (name, _hex(fg), _hex(bg)): round(theme.contrast(_hex(fg), _hex(bg)), 2)
        for name, fg, bg in found
        if theme.contrast(_hex(fg), _hex(bg)) < 4.5
    }
    assert not weak, f"text under 4.5:1 on the light calculator: {weak}"
