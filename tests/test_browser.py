"""The exported HTML deck in a real, offline Chromium: navigation, videos, notes, pixels.

Runs against presentations/gqa.html (build it with `uv run deck build --quality low`);
GQA_DECK_HTML=<file> points it at another export. The fixtures `deck_html` and
`browser` are in conftest.py (one Chromium per worker for every browser test).
"""

from __future__ import annotations

import dataclasses
import io
import os
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
        return Image.open(io.BytesIO(self.page.screenshot())).convert("RGB")

    def go_to(self, index: int) -> None:
        """Show slide `index` (0-based) and wait for its video to play."""
        self.js(f"Reveal.slide({index})")
        self.wait_video_playing()

    def open_speaker_view(self):
        """Press S; the speaker view's popup page."""
        self.page.locator("body").focus()
        with self.context.expect_page() as popup_info:
            self.page.keyboard.press("s")
        return popup_info.value

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
        expected = deck.js("Reveal.getCurrentSlide().querySelector('aside.notes').textContent")
        popup = deck.open_speaker_view()
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


# ── what the audience and the speaker see ────────────────────────────────
def test_one_slide_number_the_deck_wide_one(deck):
    """reveal.js's counter is off (every frame carries the deck's number); typing a number
    into jump-to-slide (G) goes to that slide of the whole deck."""
    from deck.scenes import SCENES, total_slides

    assert deck.js("Reveal.getConfig().slideNumber") is False
    assert deck.js(
        "(() => { const n = document.querySelector('.reveal .slide-number');"
        " return !n || getComputedStyle(n).display === 'none'; })()"
    ), "reveal.js shows a second slide number"
    assert deck.js("Reveal.getTotalSlides()") == total_slides()
    last_of_first_section = SCENES[0].slide_count() + SCENES[1].slide_count()
    deck.page.keyboard.press("g")
    deck.page.keyboard.type(str(last_of_first_section))
    deck.page.keyboard.press("Enter")
    assert deck.index() == last_of_first_section - 1


def test_space_has_one_meaning_and_the_help_says_it(deck):
    deck.wait_video_playing()
    deck.page.keyboard.press("PageDown")  # clickers: next and previous
    assert deck.index() == 1
    deck.wait_video_playing()
    deck.page.keyboard.press("PageUp")
    assert deck.index() == 0
    deck.page.keyboard.press("PageDown")
    deck.wait_video_playing()
    deck.js(f"({CURRENT_VIDEO}).play()")  # playing: Space pauses, then resumes
    deck.page.keyboard.press(" ")
    assert deck.index() == 1 and deck.js(f"({CURRENT_VIDEO}).paused")
    deck.page.keyboard.press(" ")
    assert deck.index() == 1 and not deck.js(f"({CURRENT_VIDEO}).paused")

    deck.page.keyboard.press("Shift+?")
    deck.page.wait_for_selector(".r-overlay-help table")
    rows = deck.js(
        "[...document.querySelectorAll('.r-overlay-help tr')]"
        ".map(r => [...r.querySelectorAll('td')].map(c => c.textContent.trim()))"
        ".filter(r => r.length === 2)"
    )
    with_space = [r for r in rows if "SPACE" in r[0].upper()]
    assert with_space == [["SPACE", "Play / pause the video"]], with_space
    nexts = [r[0] for r in rows if r[1] == "Next slide"]
    assert len(nexts) == 1 and "PAGE DOWN" in nexts[0]
    previous = [r[0] for r in rows if r[1] == "Previous slide"]
    assert len(previous) == 1 and "PAGE UP" in previous[0]


def test_overview_shows_each_slides_last_frame(deck):
    """In the overview (O) the videos step aside for each slide's last frame; back in the
    deck, the first frames are painted behind the videos again (no flash at the start)."""
    backgrounds = "Reveal.getSlides().map(s => s.slideBackgroundElement.style.backgroundImage)"
    deck.wait_video_playing()
    firsts = deck.js(backgrounds)
    deck.page.keyboard.press("o")
    deck.page.wait_for_function("Reveal.isOverview()")
    lasts = deck.js(backgrounds)
    assert all(url.startswith('url("blob:') for url in lasts)
    assert not set(lasts) & set(firsts), "the overview still shows first frames"
    hidden = deck.js(
        "[...document.querySelectorAll('.backgrounds video')]"
        ".every(v => getComputedStyle(v).visibility === 'hidden')"
    )
    assert hidden, "a video covers its slide's last frame in the overview"
    deck.page.keyboard.press("o")
    deck.page.wait_for_function("!Reveal.isOverview()")
    assert deck.js(backgrounds) == firsts
    deck.wait_video_playing()
    assert deck.js(f"getComputedStyle({CURRENT_VIDEO}).visibility") == "visible"


def test_jump_to_slide_prompt_covers_nothing_drawn(deck):
    """The prompt (G) sits where the frame draws nothing: not on the section header."""
    import numpy as np

    from deck.scenes import SCENES

    # the first slide of every section with a header (the longest titles included)
    starts = np.cumsum([0] + [s.slide_count() for s in SCENES])[:-1]
    for scene, index in zip(SCENES, starts, strict=True):
        if not scene.SECTION:
            continue
        deck.go_to(int(index))
        deck.show_end_of_video()
        frame = np.asarray(deck.screenshot(), dtype=int)
        deck.page.keyboard.press("g")
        box = deck.js(
            "(() => { const r = document.querySelector('.jump-to-slide')"
            ".getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })()"
        )
        deck.page.keyboard.press("Escape")
        left, top, right, bottom = (round(v) for v in box)
        assert right - left > 50 and bottom - top > 10, box  # the prompt is shown
        background = frame[2, frame.shape[1] // 2]
        under = frame[top:bottom, left:right]
        drawn = (np.abs(under - background).max(axis=2) > 40).mean()
        assert drawn == 0, f"{scene.__name__}: the prompt covers drawn pixels ({drawn:.1%})"


def test_speaker_view_paces_the_talk(browser, tmp_path):
    """With a talk length, the speaker view (S) shows reveal.js's pacing timer."""
    from deck.commands.build import export_options
    from deck.content.model import DEFAULT_PRESET
    from deck.export import export
    from deck.project import THIS_PROJECT
    from deck.scenes import SCENE_NAMES
    from deck.talk import Talk
    from tests.test_export import at

    built = THIS_PROJECT.build(Talk.for_preset(DEFAULT_PRESET), "low")
    slides = Path(os.environ.get("GQA_DECK_SLIDES", built.slides))
    if not (slides / f"{SCENE_NAMES[0]}.json").is_file():
        pytest.fail(f"no renders in {slides}: run `uv run deck build --quality low` first")
    options = dataclasses.replace(export_options(Talk.for_preset(DEFAULT_PRESET)), minutes=20)
    (html,) = export(at(slides, tmp_path, "paced"), SCENE_NAMES, ("html",), options=options)
    deck = Deck(browser, html)
    try:
        assert deck.js("Reveal.getConfig().totalTime") == 20 * 60
        timings = deck.js("Reveal.getSlides().map(s => Number(s.getAttribute('data-timing')))")
        assert sum(timings) == 20 * 60 and min(timings) >= 1
        popup = deck.open_speaker_view()
        popup.wait_for_function(
            "(() => { const p = document.querySelector('.speaker-controls-time .pacing');"
            " return p && p.style.display !== 'none' && /\\d/.test(p.textContent); })()",
            timeout=15_000,
        )
        assert not deck.blocked
    finally:
        deck.close()
