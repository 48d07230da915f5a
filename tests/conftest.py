"""Shared fixtures: scenes constructed without rendering video, once per (scene, preset, theme)."""

from __future__ import annotations

import dataclasses
import datetime
import functools
import os
import tempfile
from pathlib import Path

import pytest
from manim import config as manim_config

from deck import theme
from deck.compat.manim import CONSTRUCT_ONLY
from deck.content.hfconfig import load_config
from deck.content.model import DEFAULT_PRESET, PRESETS, preset_name
from deck.scenes import BY_NAME, SCENES, make_scene
from deck.talk import DEFAULT_THEME, Talk
from deck.testing.frames import CapturesFrames
from deck.testing.layout import RecordsLayout

LOW_RES = {"pixel_height": 270, "pixel_width": 480}
# Mobjects built outside `constructed` (a scene's last frame, a component) cache their
# texts' SVGs under manim's default media folder: one per process, as xdist workers
# writing the same cache file at once read each other's half-written SVGs.
manim_config.media_dir = tempfile.mkdtemp(prefix="gqa-deck-test-media-")
ROOT = Path(__file__).resolve().parents[1]
DEFAULT_HTML = ROOT / "presentations" / "gqa.html"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]
CONFIGS = Path(__file__).parent / "data" / "configs"
CONFIG_NAMES = sorted(p.name for p in CONFIGS.iterdir() if (p / "config.json").is_file())

# A talk that is not a preset's, with every byline field set: a model read from a
# config.json (Qwen3-4B: head_dim 128 over hidden 2560, q/k norms) and a speaker.
SPEAKER_TALK = "qwen3-4b-speaker"
SPEAKER = {
    # longer than a line at the title's size: the title slide must wrap it
    "title": "Grouped-Query Attention in Qwen3: from the paper to the KV cache",
    "speaker": "Ada Lovelace",
    "affiliation": "Analytical Engine Society",
    "event": "Attention Summit 2026",
    "date": datetime.date(2026, 11, 26),
}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under xdist (`--dist loadgroup`, as scripts/test.sh runs), the tests of one talk
    and theme share a worker: `constructed` caches per process, so each scene is then
    constructed once per talk instead of once per worker."""
    for item in items:
        callspec = getattr(item, "callspec", None)
        params = callspec.params if callspec else {}
        talk = params.get("preset")
        if isinstance(talk, str):
            theme_name = params.get("theme_name", DEFAULT_THEME)
            item.add_marker(pytest.mark.xdist_group(f"{talk}-{theme_name}"))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/golden/*.png from the current deck",
    )


# A model folder with weights and a tokenizer (a tiny random llama, written by the tests),
# its name as long as a model's name may be: the attention slide shows its real heads.
REAL_WEIGHTS_TALK = "tiny-llama-weights"
LONGEST_NAME = "Llama-3.1-8B-Instruct-tiny-random-weight"  # 40 characters, the most allowed


# Talks with slides of the speaker's own: the README's example (a chart, an SVG diagram,
# points) and the largest own slides the talk file allows (six points of two full lines,
# a title of a full line, a source line; a tall and a wide picture).
OWN_SLIDES_TALK = "own-slides"
LARGEST_OWN_TALK = "own-slides-largest"
EXAMPLE_TALK = ROOT / "examples" / "own-slides" / "talk.toml"
# the scenes their own slides are in, or that open on one
OWN_SLIDE_SCENES = {
    OWN_SLIDES_TALK: ("DataFlow", "Decoding", "Evidence", "Closing"),
    LARGEST_OWN_TALK: ("WhyGQA", "KVCalculator", "Closing"),
}


def talk_from_file(path: Path) -> Talk:
    from deck import cli
    from deck.talk.options import resolve_talk

    return resolve_talk(cli.make_parser().parse_args(["list", "--talk", str(path)]))


def longest_point(start: str, lines: int = 2) -> str:
    """`start` and then words, as long as the points' size wraps it into `lines` lines."""
    from deck.content.wrap import wrap
    from deck.talk.own_slides import POINT_SIZES, point_width

    size = POINT_SIZES[-1]
    point = start
    while len(wrap(f"{point} tokens", size, point_width(size))) <= lines:
        point += " tokens"
    return point


def picture(path: Path, size: tuple[int, int]) -> Path:
    """A picture of `size` pixels: a frame and a diagonal, so that its edges show."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, "#F4F1EA")
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 0, size[0] - 1, size[1] - 1), outline="#166F90", width=8)
    draw.line((0, 0, *size), fill="#C0392B", width=8)
    image.save(path)
    return path


def largest_own_talk() -> Talk:
    from deck.content.wrap import text_width

    folder = Path(tempfile.mkdtemp(prefix="gqa-deck-own-"))
    picture(folder / "tall.png", (600, 2400))
    picture(folder / "wide.jpg", (3000, 500))
    title = "Our"
    while text_width(f"{title} results", theme.SIZE.heading) <= theme.CONTENT_WIDTH:
        title += " results"
    # as many lines as the smallest size holds with a source line: two points of two
    points = [longest_point(f"Point {n}: KV heads and", 1 + (n < 2)) for n in range(6)]
    rows = ", ".join(f'"{p}"' for p in points)
    (folder / "talk.toml").write_text(
        f'''title = "Largest own slides"
[[slide]]
after = "why_gqa.memory_bound"
title = "{title}"
points = [{rows}]
source = "Our lab, measured on the talk's model at 4,096 tokens, batch 1, fp16, one GPU"
[[slide]]
after = "why_gqa.memory_bound"
title = "{title}"
image = "tall.png"
source = "A picture four times as tall as wide"
[[slide]]
after = "kv_calculator"
title = "A picture six times as wide as tall"
image = "wide.jpg"
[[slide]]
after = "closing.questions"
title = "{title}"
image = "tall.png"
''',
        encoding="utf-8",
    )
    return talk_from_file(folder / "talk.toml")


def real_weights_talk() -> Talk:
    from deck.talk.real_attention import for_talk
    from tests.tiny_checkpoint import write_checkpoint

    folder = Path(tempfile.mkdtemp(prefix="gqa-deck-tiny-llama-"))
    write_checkpoint(folder, "llama")
    return for_talk(Talk(load_config(folder, LONGEST_NAME)), cache=folder / "cache")


@functools.cache
def talk_for(talk_id: str) -> Talk:
    """The talk a test id names: a preset's default talk, a shipped config.json by its
    folder in tests/data/configs, `SPEAKER_TALK` or `REAL_WEIGHTS_TALK`."""
    if talk_id == REAL_WEIGHTS_TALK:
        return real_weights_talk()
    if talk_id == SPEAKER_TALK:
        return Talk(load_config(CONFIGS / "Qwen3-4B" / "config.json"), **SPEAKER)
    if talk_id == OWN_SLIDES_TALK:
        return talk_from_file(EXAMPLE_TALK)
    if talk_id == LARGEST_OWN_TALK:
        return largest_own_talk()
    if preset_name(talk_id) in PRESETS:
        return Talk.for_preset(talk_id)
    return Talk(load_config(CONFIGS / talk_id))


def constructed(
    scene_name: str, preset: str, capture_frames: bool = False, theme_name: str = DEFAULT_THEME
):
    """Construct a scene with animations skipped, recording each slide's layout (and,
    with `capture_frames`, its last frame), for `preset` (or a shipped config) in the
    theme `theme_name`."""
    talk = dataclasses.replace(talk_for(preset), theme=theme_name)
    return constructed_for(scene_name, talk, capture_frames)


@functools.cache
def constructed_for(
    scene_name: str, talk: Talk, capture_frames: bool = False, height: int = LOW_RES["pixel_height"]
):
    """`constructed` for any talk (e.g. a model read from a config.json)."""
    from manim import tempconfig

    options = {
        "pixel_height": height,
        "pixel_width": 2 * round(height * 8 / 9),  # 16:9, even: 480 -> 854 as manim
        "media_dir": tempfile.mkdtemp(prefix="gqa-deck-test-"),
        "skip_animations": True,
        "disable_caching": True,
        "progress_bar": "none",
        "verbosity": "ERROR",
        "background_color": theme.palette(talk.theme).BACKGROUND,
    }
    mixins = (RecordsLayout, CapturesFrames) if capture_frames else (RecordsLayout,)
    with tempconfig(options):
        scene = make_scene(BY_NAME[scene_name], talk, *mixins, **CONSTRUCT_ONLY)
        scene.setup()
        scene.construct()
        return scene


TALKS = [*PRESETS, SPEAKER_TALK]
SCENE_PRESET_PARAMS = [
    pytest.param(s.__name__, p, id=f"{s.__name__}-{p}") for p in TALKS for s in SCENES
]
# The sections whose pictures scale with the model's shape (head counts, context, sliding
# windows), checked also for the shipped configs: 28/4 heads, 128k tokens, windows.
SHAPED_SCENES = ("WhyGQA", "Family", "Decoding")
# The sections whose tables and captions carry the model's name and figures (a config's
# folder name can be long; its max length small): laid out for every shipped config too.
NAMED_SCENES = ("KVCalculator", "Evidence", "BeyondGQA")
# Every scene that draws the model's heads one shape each, and the configs of big models
# (tests/data/configs/README.md) that must not break those drawings: 64/8, 128/16, 128/1.
HEAD_SCENES = ("Opening", "Family", "DataFlow", "Decoding", "ScaledDotProduct", "Conversion")
BIG_CONFIGS = ("Llama-2-70b-hf", "synthetic-128-16", "synthetic-128-1")

# Layout does not depend on colour, but every theme must construct: the light theme
# runs the layout checks for the default preset.
LAYOUT_PARAMS = [
    pytest.param(
        "AttentionWeights",
        REAL_WEIGHTS_TALK,
        DEFAULT_THEME,
        id=f"AttentionWeights-{REAL_WEIGHTS_TALK}",
    ),
    *(
        pytest.param(s.__name__, p, DEFAULT_THEME, id=f"{s.__name__}-{p}")
        for p in TALKS
        for s in SCENES
    ),
    *(
        pytest.param(s.__name__, DEFAULT_PRESET, name, id=f"{s.__name__}-{DEFAULT_PRESET}-{name}")
        for name in theme.THEMES
        if name != DEFAULT_THEME
        for s in SCENES
    ),
    *(
        pytest.param(s, c, DEFAULT_THEME, id=f"{s}-{c}")
        for c in CONFIG_NAMES
        for s in (*SHAPED_SCENES, *NAMED_SCENES)
    ),
    *(
        pytest.param(s, c, DEFAULT_THEME, id=f"{s}-{c}")
        for c in BIG_CONFIGS
        for s in HEAD_SCENES
        if s not in SHAPED_SCENES
    ),
    *(
        pytest.param(s, talk, name, id=f"{s}-{talk}-{name}")
        for talk, scenes in OWN_SLIDE_SCENES.items()
        for s in scenes
        for name in theme.THEMES
    ),
]


# ── the browser tests' (one definition: Playwright's sync API allows one at a time) ──
@pytest.fixture(scope="session")
def deck_html() -> Path:
    """The exported deck the browser tests open (GQA_DECK_HTML=<file> for another)."""
    path = Path(os.environ.get("GQA_DECK_HTML", DEFAULT_HTML))
    if not path.is_file():
        pytest.fail(
            f"{path} does not exist: run `uv run deck build --quality low` first", pytrace=False
        )
    return path


@pytest.fixture
def deck(browser, deck_html):
    """The exported deck in a fresh page, keyboard focus on it (tests/test_browser.py)."""
    from tests.test_browser import Deck

    shown = Deck(browser, deck_html)
    shown.page.locator("body").focus()
    yield shown
    shown.close()


@pytest.fixture(scope="session")
def browser():
    sync_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/setup.sh --with-browser`")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()
