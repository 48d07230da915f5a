"""The speaker's tools in the exported HTML deck, in a real Chromium: zoom (Alt+click), the
pen (D, C) and the pointer (X), which stay in the page that drew them, and the rehearsal
in the speaker view (S) with its CSV. Runs against the deck test_browser.py opens."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest

from deck.theme import DARK

pytestmark = pytest.mark.browser

ZOOM_MS = 800  # the zoom plugin's transition (document.body's `transform 0.8s ease`)
INK_COUNT = (
    "(() => { const c = document.getElementById('deck-marks');"
    " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
    " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i]) n++; return n; })()"
)


def hex_rgb(colour: str) -> np.ndarray:
    return np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)])


def test_alt_click_zooms_into_the_point_and_again_out(deck):
    page = deck.page
    page.keyboard.down("Alt")
    page.mouse.click(900, 500)
    page.keyboard.up("Alt")
    page.wait_for_timeout(ZOOM_MS + 200)
    assert "scale(2)" in deck.js("document.body.style.transform")
    assert deck.js("document.documentElement.classList.contains('zoomed')")
    page.keyboard.down("Alt")
    page.mouse.click(900, 500)
    page.keyboard.up("Alt")
    assert deck.js("document.body.style.transform") == ""
    # Escape zooms out too, and only that: the overview stays closed until the next one
    page.keyboard.down("Alt")
    page.mouse.click(900, 500)
    page.keyboard.up("Alt")
    page.wait_for_timeout(ZOOM_MS + 200)
    page.keyboard.press("Escape")
    assert deck.js("document.body.style.transform") == ""
    assert not deck.js("Reveal.isOverview()")
    page.keyboard.press("Escape")
    assert deck.js("Reveal.isOverview()")
    page.keyboard.press("Escape")
    assert not deck.js("Reveal.isOverview()")
    page.keyboard.press("Shift+?")
    page.wait_for_selector(".r-overlay-help table")
    rows = deck.js(
        "[...document.querySelectorAll('.r-overlay-help tr')]"
        ".map(r => [...r.querySelectorAll('td')].map(c => c.textContent.trim()))"
        ".filter(r => r.length === 2)"
    )
    said = {keys: what for keys, what in rows}
    assert said["ALT  +  CLICK"].startswith("Zoom"), said
    page.keyboard.press("Escape")  # closes the help, and opens nothing else
    assert not deck.js("Reveal.isOverlayOpen()") and not deck.js("Reveal.isOverview()")
    for key, says in (("D", "Pen"), ("C", "Clear"), ("X", "Pointer")):
        assert said[key].startswith(says), said


def test_the_pen_draws_on_its_slide_only(deck):
    page = deck.page
    deck.go_to(1)
    assert deck.js(INK_COUNT) == 0
    page.keyboard.press("d")
    page.mouse.move(300, 300)
    page.mouse.down()
    page.mouse.move(600, 420, steps=8)
    page.mouse.up()
    drawn = deck.js(INK_COUNT)
    assert drawn > 1000, drawn
    # the stroke is in the theme's HIGHLIGHT, edged in its BACKGROUND
    shot = np.asarray(deck.screenshot()).astype(int)
    middle = shot[360, 450]
    assert np.abs(middle - hex_rgb(DARK.HIGHLIGHT)).max() < 12, middle
    deck.go_to(2)
    assert deck.js(INK_COUNT) == 0  # another slide: its own (empty) drawing
    deck.go_to(1)
    assert deck.js(INK_COUNT) == drawn  # back: the drawing is still there
    page.keyboard.press("c")
    assert deck.js(INK_COUNT) == 0
    page.keyboard.press("d")  # the pen off: clicks reach the slide again
    assert deck.js("document.getElementById('deck-marks').style.pointerEvents") == "none"


def test_the_pointer_follows_the_mouse(deck):
    page = deck.page
    page.keyboard.press("x")
    page.mouse.move(500, 300)
    box = page.locator("#deck-pointer").bounding_box()
    assert box is not None
    centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert abs(centre[0] - 500) < 2 and abs(centre[1] - 300) < 2, centre
    assert 14 <= box["width"] <= 24, box  # 1.4 % of the 1280 px slide
    assert deck.js("document.documentElement.style.cursor") == "none"
    page.keyboard.press("x")
    assert not page.locator("#deck-pointer").is_visible()


def test_a_rehearsal_times_each_slide_against_its_plan(deck, tmp_path):
    plan = deck.js("Reveal.getSlides().map(s => Number(s.getAttribute('data-deck-plan')))")
    assert len(plan) > 10 and min(plan) >= 1
    popup = deck.open_speaker_view()
    popup.wait_for_selector("#deck-rehearsal .toggle", timeout=15_000)
    assert "words a minute" in popup.text_content("#deck-rehearsal .status")
    popup.click("#deck-rehearsal .toggle")
    deck.page.wait_for_timeout(1500)
    deck.js("Reveal.next()")
    deck.page.wait_for_timeout(700)
    assert "Slide 2" in popup.text_content("#deck-rehearsal .status")
    deck.js("Reveal.next()")
    popup.click("#deck-rehearsal .toggle")
    rows = popup.eval_on_selector_all(
        "#deck-rehearsal table tr", "rows => rows.map(r => [...r.cells].map(c => c.textContent))"
    )
    assert rows[0] == ["Slide", "Plan", "Took", "Difference"]
    assert len(rows) == 1 + 3 + 1 and rows[-1][0] == "All"  # the three slides shown
    total = sum(plan[:3])
    assert rows[-1][1] == f"{total // 60}:{total % 60:02d}"
    assert rows[1][2] in ("0:01", "0:02") and rows[2][2] in ("0:01", "0:00"), rows[1:3]
    assert rows[1][1] == f"{plan[0] // 60}:{plan[0] % 60:02d}"
    with popup.expect_download() as download:
        popup.click("#deck-rehearsal .csv")
    target = tmp_path / "rehearsal.csv"
    download.value.save_as(target)
    table = list(csv.DictReader(io.StringIO(target.read_text())))
    assert [int(r["slide"]) for r in table] == [1, 2, 3]
    assert [int(r["plan_seconds"]) for r in table] == plan[:3]
    assert 1 <= int(table[0]["took_seconds"]) <= 2
    first = table[0]
    assert int(first["difference_seconds"]) == int(first["took_seconds"]) - plan[0]
    # the speaker view's frames show the deck without the speaker's tools or marks
    frames = [f for f in popup.frames if f != popup.main_frame]
    assert frames and all(f.evaluate("!document.getElementById('deck-marks')") for f in frames)


def test_notes_written_from_the_right_are_set_from_the_right(deck):
    arabic = "تتشارك رؤوس الاستعلام أربعة رؤوس مفاتيح."
    deck.js(f"Reveal.getCurrentSlide().querySelector('aside.notes').textContent = {arabic!r}")
    assert (
        deck.js("getComputedStyle(Reveal.getCurrentSlide().querySelector('aside.notes')).direction")
        == "rtl"
    )
    popup = deck.open_speaker_view()
    popup.wait_for_selector("#deck-rehearsal", timeout=15_000)
    deck.js("Reveal.next(); Reveal.prev()")  # the notes are sent again on a slide change
    value = ".speaker-controls-notes .value"
    popup.wait_for_function(
        f"document.querySelector({value!r}).textContent.includes({arabic[:6]!r})"
    )
    assert popup.evaluate(f"getComputedStyle(document.querySelector({value!r})).direction") == "rtl"
