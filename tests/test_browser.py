"""The exported HTML deck in a real, offline Chromium: navigation, videos, notes, pixels.

Runs against presentations/gqa.html (build it with `uv run deck build --quality low`);
GQA_DECK_HTML=<file> points it at another export. The fixtures `deck_html` and
`browser` are in conftest.py (one Chromium per worker for every browser test).
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import pytest
from PIL import Image, ImageStat

pytestmark = pytest.mark.browser

LOCAL_SCHEMES = ("file:", "data:", "blob:")
VIDEO_TIMEOUT_MS = 15_000

CURRENT_VIDEO = (
    "Reveal.getCurrentSlide().slideBackgroundContentElement"
    " && Reveal.getCurrentSlide().slideBackgroundContentElement.querySelector('video')"
)


class Deck:
    """One page showing the deck, with every non-local request blocked and recorded."""

    def __init__(self, browser, html: Path):
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": 1280, "height": 720})
        # On the context, so the speaker view's popup and iframes are covered too.
        self.context.route("**/*", self._route)
        # Also count what routing cannot see (e.g. requests made by workers).
        self.context.on("request", self._request)
        self.page = self.context.new_page()
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.goto(html.as_uri())
        try:
            self.page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=30_000)
        except Exception:
            self.close()
            pytest.fail(
                f"reveal.js did not start in {html}; blocked requests: {self.blocked[:5]}; "
                f"JavaScript errors: {self.errors[:5]}",
                pytrace=False,
            )

    def _route(self, route):
        if route.request.url.startswith(LOCAL_SCHEMES):
            route.continue_()
        else:
            route.abort()

    def _request(self, request):
        if not request.url.startswith(LOCAL_SCHEMES):
            self.blocked.append(request.url)

    def js(self, expression: str):
        return self.page.evaluate(expression)

    def index(self) -> int:
        return self.js("Reveal.getIndices().h")

    def wait_video_playing(self) -> None:
        """The current slide's video has a frame (readyState >= 2) and plays or has ended."""
        start = self.js(f"({CURRENT_VIDEO}) ? ({CURRENT_VIDEO}).currentTime : -1")
        self.page.wait_for_function(
            f"""() => {{
                const v = {CURRENT_VIDEO};
                return !!v && v.readyState >= 2 && (v.ended || v.currentTime > {max(start, 0)});
            }}""",
            timeout=VIDEO_TIMEOUT_MS,
        )

    def show_end_of_video(self) -> None:
        """Pause the current video on its last frame: what the slide shows when done."""
        self.page.evaluate(
            f"""() => new Promise(resolve => {{
                const v = {CURRENT_VIDEO};
                v.pause();
                v.addEventListener('seeked', () => resolve(), {{ once: true }});
                v.currentTime = Math.max(0, v.duration - 0.05);
            }})"""
        )
        self.page.wait_for_timeout(200)  # let the seeked frame reach the compositor

    def poster_screenshot(self) -> Image.Image:
        """What shows while the current video has no frame yet: its poster (first frame)."""
        self.js(
            "document.querySelectorAll('.backgrounds video')"
            ".forEach(v => v.style.visibility = 'hidden')"
        )
        try:
            return self.screenshot()
        finally:
            self.js(
                "document.querySelectorAll('.backgrounds video')"
                ".forEach(v => v.style.visibility = '')"
            )

    def screenshot(self) -> Image.Image:
        self.js("document.querySelector('.slide-number').style.visibility = 'hidden'")
        try:
            return Image.open(io.BytesIO(self.page.screenshot())).convert("RGB")
        finally:
            self.js("document.querySelector('.slide-number').style.visibility = ''")

    def close(self) -> None:
        self.context.close()


def assert_not_blank(image: Image.Image, what: str) -> None:
    stat = ImageStat.Stat(image)
    spread = max(stat.stddev)
    colours = len(image.getcolors(maxcolors=1 << 20) or ())
    assert spread > 2.0 and colours > 16, f"{what} looks blank (σ={spread:.2f}, {colours} colours)"


def test_deck_offline_navigation_videos_notes(browser, deck_html):
    started = time.perf_counter()
    deck = Deck(browser, deck_html)
    try:
        total = deck.js("Reveal.getTotalSlides()")
        assert total >= 2, "the deck needs at least two slides for this test"
        middle = total // 2
        assert deck.index() == 0
        deck.page.locator("body").focus()

        notes, shots = [], {}
        for i in range(total):
            assert deck.index() == i, f"expected slide {i}, at {deck.index()}"
            if i == 1:
                # The second slide starts where the first ended, so its poster is not blank:
                # a video that is late to paint shows that frame, not a blank (flicker).
                shots["poster"] = deck.poster_screenshot()
            deck.wait_video_playing()
            notes.append(deck.js("Reveal.getSlideNotes()") or "")
            if i in (0, middle):
                deck.show_end_of_video()
                shots[i] = deck.screenshot()
            if i < total - 1:
                deck.page.keyboard.press("ArrowRight")
        assert deck.js("Reveal.isLastSlide()")
        forward = total

        # Past the end nothing happens; ArrowLeft walks back to the start.
        deck.page.keyboard.press("ArrowRight")
        assert deck.index() == total - 1
        for i in range(total - 2, -1, -1):
            deck.page.keyboard.press("ArrowLeft")
            assert deck.index() == i
            deck.wait_video_playing()
        backward = total - 1

        empty = [i + 1 for i, n in enumerate(notes) if not n.strip()]
        assert not empty, f"slides without speaker notes: {empty}"
        asides = deck.js("document.querySelectorAll('.slides > section > aside.notes').length")
        assert asides == total
        # Every slide paints its first frame behind its video (no blank frame on change).
        posters = deck.js(
            "Reveal.getSlides().filter(s => s.slideBackgroundElement.style.backgroundImage"
            ".startsWith('url(\"blob:')).length"
        )
        assert posters == total
        for key, image in shots.items():
            assert_not_blank(image, f"slide {key + 1}" if key != "poster" else "poster of slide 2")
        assert deck.js("Reveal.hasPlugin('notes')"), "the notes plugin ('S') is missing"
        assert not deck.errors, f"JavaScript errors: {deck.errors}"
        assert not deck.blocked, f"network requests: {deck.blocked[:5]}"
    finally:
        deck.close()
    print(
        f"\nbrowser: {deck_html.name}: {forward} slides forward, {backward} back, "
        f"{len(deck.blocked)} non-local requests blocked, "
        f"{time.perf_counter() - started:.1f} s"
    )


def test_deck_fits_any_window(browser, deck_html):
    """Portrait, tiny and ultrawide windows all show the whole slide, letterboxed."""
    deck = Deck(browser, deck_html)
    try:
        for width, height in ((390, 844), (320, 200), (2560, 720)):
            deck.page.set_viewport_size({"width": width, "height": height})
            deck.page.wait_for_timeout(100)
            box = deck.js(
                f"""(() => {{ const v = {CURRENT_VIDEO}, r = v.getBoundingClientRect();
                    return [r.width, r.height, getComputedStyle(v).objectFit]; }})()"""
            )
            assert box == [width, height, "contain"], (width, height, box)
            # reveal.js turns narrow windows into a scrolling page unless told not to.
            assert not deck.js("Reveal.isScrollView()"), (width, height)
    finally:
        deck.close()


def test_speaker_view_opens_with_notes(browser, deck_html):
    """'S' opens reveal.js' speaker view (a popup) showing the current slide's notes."""
    deck = Deck(browser, deck_html)
    try:
        deck.page.locator("body").focus()
        expected = deck.js("Reveal.getCurrentSlide().querySelector('aside.notes').textContent")
        with deck.context.expect_page() as popup_info:
            deck.page.keyboard.press("s")
        popup = popup_info.value
        popup.wait_for_function(
            "document.querySelector('.speaker-controls-notes .value')"
            " && document.querySelector('.speaker-controls-notes .value').textContent.trim()",
            timeout=15_000,
        )
        shown = popup.evaluate(
            "document.querySelector('.speaker-controls-notes .value').textContent"
        )
        assert " ".join(shown.split()) == " ".join(expected.split())
        assert not deck.blocked, f"network requests: {deck.blocked[:5]}"
    finally:
        deck.close()
