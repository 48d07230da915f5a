"""Live slides in the HTML export, on the tiny three-slide deck of test_export.py."""

from __future__ import annotations

import base64
import re

import pytest

from deck.export import ExportError, export, fonts, up_to_date
from deck.export.kv_calculator import calculator_widget
from deck.model import PRESETS
from tests.test_export import rendered  # noqa: F401 (fixture)


def widget(preset: str = "gqa-1b"):
    models = list(PRESETS.values())
    return calculator_widget(models, PRESETS[preset], "2 · KV-cache calculator", "2 / 3")


def sections(page: str) -> list[str]:
    return re.findall(r"<section\b.*?</section>", page, flags=re.DOTALL)


def test_the_live_slide_holds_the_widget_and_its_font(rendered, tmp_path):  # noqa: F811
    (path,) = export(
        ["Tiny"], rendered / "slides", tmp_path, "gqa", ("html",), interactive={1: widget()}
    )
    page = path.read_text(encoding="utf-8")
    assert [s.count('class="kvc"') for s in sections(page)] == [0, 1, 0]
    assert not re.search(r"https?://", page, re.IGNORECASE)
    # the video stays under the widget (the other formats show it), and so does the notes
    assert page.count("data-deck-video=") == 3 and page.count('<aside class="notes">') == 3
    inlined = re.search(r'src: url\(data:font/otf;base64,([^)]+)\) format\("opentype"\)', page)
    font, _, _ = fonts.font_file("Inter")
    assert base64.b64decode(inlined[1]) == font.read_bytes()
    options = re.findall(r'<select name="model">(.*?)</select>', page, flags=re.DOTALL)[0]
    assert re.findall(r'value="([^"]+)"', options) == list(PRESETS)


def test_a_live_slide_outside_the_deck_is_refused(rendered, tmp_path):  # noqa: F811
    with pytest.raises(ExportError, match=r"live slide 3 .* 3 slides") as info:
        export(["Tiny"], rendered / "slides", tmp_path, "gqa", interactive={3: widget()})
    assert "\n" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_up_to_date_follows_the_live_slides(rendered, tmp_path):  # noqa: F811
    slides, out = rendered / "slides", tmp_path / "out"
    live = {1: widget()}
    export(["Tiny"], slides, out, "gqa", ("html",), interactive=live)
    assert up_to_date(["Tiny"], slides, out, "gqa", ("html",), interactive=live)
    assert not up_to_date(["Tiny"], slides, out, "gqa", ("html",))
    other = {1: widget("llama-3-8b")}  # another model first: another page
    assert not up_to_date(["Tiny"], slides, out, "gqa", ("html",), interactive=other)


def test_a_missing_font_says_how_to_install_it():
    with pytest.raises(ExportError, match=r"setup\.sh"):
        fonts.font_file("No Such Font Family 9f2c")
