"""deck.export on a tiny three-slide deck rendered once per session at low quality."""

from __future__ import annotations

import base64
import dataclasses
import datetime
import io
import json
import os
import re
import shutil
import string
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PIL import Image

from deck import export as ex
from deck.content.kv_calculator import calculator_widget
from deck.content.model import PRESETS
from deck.export import ExportError, ExportOptions, export, fonts, pictures, reveal, up_to_date
from deck.export.videos import slide_files
from deck.project import Build
from deck.talk import Talk
from tests.test_compat import GREEN, RED, write_video

TINY_SCENE = """
from manim import BLUE, GREEN, RED, Circle, Create, FadeIn, ManimColor, Square, Text, Transform
from manim_slides import Slide


class Tiny(Slide):
    skip_reversing = True

    def construct(self):
        self.camera.background_color = ManimColor("#101218")
        self.next_slide(notes="A circle <appears> & grows.")
        shape = Circle(color=BLUE)
        self.play(Create(shape))
        self.next_slide(notes="It becomes a square.\\nSecond line.")
        self.play(Transform(shape, Square(color=GREEN)))
        self.next_slide(notes="A label: d_k = 64.")
        self.play(FadeIn(Text("GQA", color=RED).next_to(shape)))
"""
SLIDES = 3
VIDEO_HOLD_SECONDS = 3.0  # video.py's hold without a pacing plan
OPTIONS = ExportOptions(
    title="Tiny talk",
    author="Ada Speaker",
    subject="A circle and a square",
    date=datetime.date(2026, 5, 14),
    minutes=1,
    references=("Doe et al. 2020. Circles & Squares. arXiv:2001.00001",),
)


def at(slides: Path, out: Path, stem: str) -> Build:
    """A build whose renders are `slides` (a folder named so) and whose exports are
    `out/<stem>.*`."""
    assert slides.name == "slides"
    return Build(Talk.for_preset(), "low", folder=slides.parent, out_dir=out, stem=stem)


@pytest.fixture(scope="session")
def rendered(tmp_path_factory) -> Path:
    """A folder holding `slides/Tiny.json` and its videos (treat as read-only)."""
    root = tmp_path_factory.mktemp("tiny")
    (root / "tiny.py").write_text(TINY_SCENE)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "manim_slides",
            "render",
            "-q",
            "l",
            "--disable_caching",
            "--media_dir",
            str(root / "media"),
            "tiny.py",
            "Tiny",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return root


@pytest.fixture
def slides(rendered, tmp_path) -> Path:
    """A private copy of the rendered slides folder, free to damage."""
    shutil.copytree(rendered / "slides", tmp_path / "slides")
    return tmp_path / "slides"


@pytest.fixture(scope="session")
def exported(rendered, tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("out")
    start = time.perf_counter()
    paths = export(at(rendered / "slides", out, "gqa"), ["Tiny"], options=OPTIONS)
    took = time.perf_counter() - start
    sizes = ", ".join(f"{p.name} {p.stat().st_size / 1024:.0f} KiB" for p in paths)
    print(f"\nexport: tiny deck ({SLIDES} slides) in {took:.2f} s: {sizes}")
    return dict(zip(ex.FORMATS, paths, strict=True))


def frame_count(video: Path) -> int:
    import av

    with av.open(str(video)) as container:
        return sum(1 for _ in container.decode(video=0))


def tiny_notes(slides_dir: Path) -> list[str]:
    return [s["notes"] for s in json.loads((slides_dir / "Tiny.json").read_text())["slides"]]


def tiny_videos(slides_dir: Path) -> list[Path]:
    return slide_files(slides_dir / "Tiny.json")


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


# ── the exports ──────────────────────────────────────────────────────────
def test_writes_every_format(exported):
    assert list(exported) == ["html", "pdf", "pptx", "handout"]
    names = [p.name for p in exported.values()]
    assert names == ["gqa.html", "gqa.pdf", "gqa.pptx", "gqa-handout.pdf"]
    assert all(p.stat().st_size > 0 for p in exported.values())
    assert leftovers(exported["html"].parent) == []


def test_html_is_self_contained(exported, rendered):
    html = exported["html"].read_text(encoding="utf-8")
    assert not re.search(r"https?://", html, re.IGNORECASE)
    markup = re.sub(r"<(script|style)>.*?</\1>", "", html, flags=re.DOTALL)
    assert markup.count("<script") == markup.count("<style") == 0  # all closed where they should
    assert not re.search(r"<(link|img|iframe|video|source)\b|\ssrc=", markup, re.IGNORECASE)
    assert ".mp4" not in html  # no reference to a video file: base64 cannot contain "."
    assert html.count('data-deck-video="data:video/mp4;base64,') == SLIDES
    assert html.count('data-deck-poster="data:image/webp;base64,') == SLIDES
    assert html.count('data-deck-overview="data:image/webp;base64,') == SLIDES
    assert "Reveal.initialize" in html and "RevealNotes" in html
    # one slide number: the one in the frames (reveal.js's own is off)
    assert "slideNumber: false" in html and 'slideNumber: "' not in html
    # notes are escaped text
    assert "A circle &lt;appears&gt; &amp; grows." in html


def test_html_inlines_the_video_bytes(exported, rendered):
    import base64

    html = exported["html"].read_text(encoding="utf-8")
    inlined = re.findall(r'data-deck-video="data:video/mp4;base64,([^"]+)"', html)
    videos = tiny_videos(rendered / "slides")
    assert [base64.b64decode(b) for b in inlined] == [v.read_bytes() for v in videos]


def test_pdf_has_one_page_per_slide(exported):
    pypdf = pytest.importorskip("pypdf")
    assert len(pypdf.PdfReader(exported["pdf"]).pages) == SLIDES


def test_pptx_has_slides_videos_and_notes(exported, rendered):
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    deck = Presentation(str(exported["pptx"]))
    assert len(deck.slides) == SLIDES
    notes = [s.notes_slide.notes_text_frame.text for s in deck.slides]
    assert notes == tiny_notes(rendered / "slides")
    for slide in deck.slides:
        assert [s.shape_type for s in slide.shapes] == [MSO_SHAPE_TYPE.MEDIA]
    width, height = json.loads((rendered / "slides" / "Tiny.json").read_text())["resolution"]
    assert deck.slide_width / deck.slide_height == pytest.approx(width / height, rel=0.01)


# ── what each export says about the talk, and which picture it shows ────
def frames_of(video: Path) -> tuple[Image.Image, Image.Image]:
    """The video's first and last frames, decoded here from the start (no seeking)."""
    import av

    with av.open(str(video)) as container:
        frames = [f.to_image().convert("RGB") for f in container.decode(video=0)]
    return frames[0], frames[-1]


def difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference per channel (0-255) at `a`'s size."""
    import numpy as np

    b = b.convert("RGB").resize(a.size)
    return float(np.abs(np.asarray(a, float) - np.asarray(b, float)).mean())


def test_pptx_poster_is_each_slides_own_last_frame(exported, rendered):
    from pptx import Presentation

    deck = Presentation(str(exported["pptx"]))
    videos = tiny_videos(rendered / "slides")
    for number, (slide, video) in enumerate(zip(deck.slides, videos, strict=True), start=1):
        (movie,) = slide.shapes
        poster = Image.open(io.BytesIO(poster_blob(movie)))
        first, last = frames_of(video)
        assert difference(last, poster) < 1.0, f"slide {number}: poster is not its last frame"
        assert difference(first, poster) > 5 * difference(last, poster), f"slide {number}"


def poster_blob(movie) -> bytes:
    """The image a PowerPoint movie shows when it is not playing (its blip)."""
    return movie.part.related_part(movie._element.blip_rId).blob


def test_pptx_says_who_when_and_16_9(exported):
    from pptx import Presentation

    deck = Presentation(str(exported["pptx"]))
    core = deck.core_properties
    assert core.title == OPTIONS.title
    assert core.author == core.last_modified_by == OPTIONS.author
    assert core.subject == OPTIONS.subject
    assert core.created.date() == core.modified.date() == OPTIONS.date
    assert "python-pptx" not in (core.comments or "")
    # 16:9 as PowerPoint's own widescreen size (13.33 × 7.5 in); the videos are 854×480
    assert (deck.slide_width, deck.slide_height) == (12_192_000, 6_858_000)
    with zipfile.ZipFile(exported["pptx"]) as package:
        presentation = package.read("ppt/presentation.xml").decode()
        app = package.read("docProps/app.xml").decode()
        timing = [package.read(f"ppt/slides/slide{n}.xml").decode() for n in (1, 2, 3)]
    assert re.search(r'<p:sldSz cx="12192000" cy="6858000"\s*/>', presentation)  # no 4:3 type
    assert "<PresentationFormat>Widescreen</PresentationFormat>" in app
    assert f"<Slides>{SLIDES}</Slides>" in app and "Macintosh" not in app
    assert all('<p:cond delay="0"/>' in t for t in timing)  # every video starts by itself


def test_pptx_thumbnail_is_the_first_slide_and_posters_are_jpeg(exported, rendered):
    from pptx import Presentation

    with zipfile.ZipFile(exported["pptx"]) as package:
        thumbnail = Image.open(io.BytesIO(package.read("docProps/thumbnail.jpeg")))
    assert thumbnail.size == (256, 144)  # 16:9, not the template's blank 4:3
    _, last = frames_of(tiny_videos(rendered / "slides")[0])
    assert difference(last, thumbnail) < 3.0, "the thumbnail is not the first slide"
    deck = Presentation(str(exported["pptx"]))
    for slide in deck.slides:
        (movie,) = slide.shapes
        assert poster_blob(movie)[:3] == b"\xff\xd8\xff"  # JPEG, a tenth of a PNG's bytes


@pytest.fixture(scope="session")
def shared(rendered, tmp_path_factory) -> dict[str, Path]:
    """The formats for sharing (`deck build --lite --video`), of the tiny deck."""
    out = tmp_path_factory.mktemp("shared")
    unpaced = dataclasses.replace(OPTIONS, minutes=None)  # each slide held VIDEO_HOLD_SECONDS
    paths = export(at(rendered / "slides", out, "gqa"), ["Tiny"], ex.EXTRA_FORMATS, options=unpaced)
    return dict(zip(ex.EXTRA_FORMATS, paths, strict=True))


def test_lite_html_has_the_last_frames_and_notes_but_no_video(shared, exported, rendered):
    lite = shared["lite"]
    assert lite.name == "gqa-lite.html"
    html = lite.read_text(encoding="utf-8")
    assert "data-deck-video=" not in html and not re.search(r"https?://", html, re.I)
    assert html.count('data-deck-poster="data:image/webp;base64,') == SLIDES
    assert "A circle &lt;appears&gt; &amp; grows." in html and "Reveal.initialize" in html
    # smaller than the full page by about its videos' base64 (4 characters per 3 bytes)
    videos = sum(v.stat().st_size for v in tiny_videos(rendered / "slides"))
    saved = exported["html"].stat().st_size - lite.stat().st_size
    assert saved > 0.9 * videos * 4 / 3, (saved, videos)
    assert "data-deck-overview=" not in html  # one picture a slide: the poster serves both
    # its picture of a slide is the slide's last frame
    for uri, video in zip(
        re.findall(r'data-deck-poster="data:image/webp;base64,([^"]+)"', html),
        tiny_videos(rendered / "slides"),
        strict=True,
    ):
        _, last = frames_of(video)
        assert difference(last, Image.open(io.BytesIO(base64.b64decode(uri)))) < 2.0


def test_lite_html_runs_offline(shared, browser):
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route(
        "**/*", lambda r: r.abort() if not r.request.url.startswith("file:") else r.continue_()
    )
    page.goto(shared["lite"].as_uri())
    page.wait_for_function("() => window.Reveal && Reveal.isReady()")
    assert page.evaluate("Reveal.getTotalSlides()") == SLIDES
    page.keyboard.press("ArrowRight")
    assert page.evaluate("Reveal.getIndices().h") == 1
    assert page.evaluate("document.querySelectorAll('video').length") == 0
    page.close()
    assert not errors, errors


def test_video_is_the_talk_in_order_with_each_slide_held(shared, rendered):
    import av

    video = shared["video"]
    assert video.name == "gqa.mp4"
    with av.open(str(video)) as container:
        assert not container.streams.audio
        stream = container.streams.video[0]
        assert stream.codec_context.name == "h264" and stream.pix_fmt == "yuv420p"
        rate = stream.average_rate
        frames = [f.to_ndarray(format="rgb24") for f in container.decode(video=0)]
    with av.open(str(video)) as container:
        packets = [p for p in container.demux(video=0) if p.size]
    slides = tiny_videos(rendered / "slides")
    lengths = [frame_count(s) for s in slides]
    hold = round(VIDEO_HOLD_SECONDS * rate)
    assert len(frames) == sum(lengths) + hold * len(slides)
    end = 0
    for slide, length in zip(slides, lengths, strict=True):
        end += length + hold
        _, last = frames_of(slide)
        shown = Image.fromarray(frames[end - 1])
        assert difference(last, shown) < 2.0, f"{slide.name} is not held on its last frame"
    # a held frame is coded as skipped blocks, never as a keyframe of its own: x264 makes
    # a frame a keyframe when it arrives typed I (as a decoded keyframe does)
    held = packets[-hold:]
    assert not any(p.is_keyframe for p in held)
    keyframe = min(p.size for p in packets if p.is_keyframe)
    assert max(p.size for p in held) < keyframe / 4, ([p.size for p in held], keyframe)


def test_a_held_keyframe_is_not_coded_again_and_again(tmp_path):
    """A slide whose last frame is a keyframe (every frame is one with keyint 1): its hold
    is coded as repeats of it, not as a keyframe each (which made the talk's video 50 MiB
    at 480p instead of 4)."""
    import types

    import av
    import numpy as np

    from deck.export import video

    slide = tmp_path / "slide.mp4"
    texture = np.random.default_rng(0).integers(0, 256, (180, 320, 3), dtype=np.uint8)
    with av.open(str(slide), "w") as out:  # every frame a keyframe, with detail to code
        stream = out.add_stream("libx264", rate=15, options={"g": "1"})
        stream.width, stream.height, stream.pix_fmt = 320, 180, "yuv420p"
        for shift in range(8):
            frame = av.VideoFrame.from_ndarray(np.roll(texture, shift, axis=1), format="rgb24")
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    config = types.SimpleNamespace(
        resolution=(320, 180),
        slides=[types.SimpleNamespace(file=slide, notes="")],
    )
    dest = tmp_path / "talk.mp4"
    video.write([config], dest, ExportOptions(), pictures=None)
    with av.open(str(dest)) as container:
        packets = [p for p in container.demux(video=0) if p.size]
    hold = round(video.HOLD_SECONDS * 15)
    assert len(packets) == 8 + hold
    # an I frame (keyframe or not) of this texture is the first packet's size
    assert max(p.size for p in packets[-hold:]) < packets[0].size / 10, packets[0].size


def test_a_paced_video_holds_each_slide_for_its_planned_time_less_its_animation():
    from deck.export import video

    class Slide:
        def __init__(self, notes: str):
            self.notes = notes

    class Config:
        def __init__(self):  # 3 words and 1: planned 44 s and 16 s of the minute
            self.slides = [Slide("one two three"), Slide("one")]

    paced = dataclasses.replace(OPTIONS, minutes=1)
    assert video.holds([Config()], paced, [5.0, 15.5]) == [39.0, video.MIN_HOLD_SECONDS]


def test_pdf_metadata_names_the_talk(exported):
    pypdf = pytest.importorskip("pypdf")
    info = pypdf.PdfReader(exported["pdf"]).metadata
    assert info.title == OPTIONS.title  # not the temporary file's name
    assert info.author == OPTIONS.author
    assert info.creation_date.date() == OPTIONS.date


def test_pdf_pages_are_the_last_frames(exported, rendered):
    pypdf = pytest.importorskip("pypdf")
    pages = pypdf.PdfReader(exported["pdf"]).pages
    for page, video in zip(pages, tiny_videos(rendered / "slides"), strict=True):
        (image,) = page.images
        first, last = frames_of(video)
        assert difference(last, image.image) < difference(first, image.image)


def squashed(text: str) -> str:
    return " ".join(text.split())


def test_handout_has_the_notes_as_text_and_a_references_page(exported, rendered):
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(exported["handout"])
    pages = [squashed(p.extract_text()) for p in reader.pages]
    body = " ".join(pages[:-1])
    assert OPTIONS.title in pages[0] and OPTIONS.author in pages[0]
    for number, notes in enumerate(tiny_notes(rendered / "slides"), start=1):
        assert f"Slide {number} of {SLIDES}" in body
        assert squashed(notes) in body, f"slide {number}'s notes are not text in the handout"
    assert "References" in pages[-1] and "Slide " not in pages[-1]  # a page of its own
    assert squashed(OPTIONS.references[0]) in pages[-1]
    assert sum(len(p.images) for p in reader.pages) == SLIDES  # one frame per slide
    assert reader.metadata.title == OPTIONS.title
    assert reader.metadata.author == OPTIONS.author


def test_pdf_pages_carry_their_notes_as_searchable_text_and_an_outline(exported, rendered):
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(exported["pdf"])
    notes = tiny_notes(rendered / "slides")
    for number, (page, said) in enumerate(zip(reader.pages, notes, strict=True), start=1):
        assert squashed(said) in squashed(page.extract_text()), f"page {number}"
    titles = [entry.title for entry in reader.outline]
    assert titles == [f"{n}. {s.split('. ')[0].rstrip('.')}" for n, s in enumerate(notes, 1)]


def test_handout_dates_as_the_slides_and_links_its_references(exported):
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(exported["handout"])
    assert "14 May 2026" in reader.pages[0].extract_text()  # as the title slide writes it
    links = [
        annotation.get_object()["/A"]["/URI"]
        for annotation in reader.pages[-1].get("/Annots", [])
        if annotation.get_object().get("/Subtype") == "/Link"
    ]
    assert links == ["https://arxiv.org/abs/2001.00001"]


def test_handout_font_has_every_character_of_the_deck():
    """The handout embeds one TrueType font: a character it lacks would print as a box."""
    from reportlab.pdfbase import pdfmetrics

    from deck.content.model import PRESETS
    from deck.content.sources import REFERENCES
    from deck.export import pdf_base
    from deck.scenes import SCENES

    pdf_base.register_fonts()
    texts = [r.citation() for r in REFERENCES]
    texts += [s.notes_for(b, m) for m in PRESETS.values() for s in SCENES for b in s.beat_names()]
    for name in (pdf_base.FONT, pdf_base.BOLD):
        glyphs = pdfmetrics.getFont(name).face.charToGlyph
        missing = sorted({c for t in texts for c in t if ord(c) not in glyphs and c != "\n"})
        assert not missing, f"{name} lacks {missing}"


def test_html_paces_the_slides_by_their_notes(exported, rendered):
    html = exported["html"].read_text(encoding="utf-8")
    timings = [int(t) for t in re.findall(r'data-timing="(\d+)"', html)]
    assert len(timings) == SLIDES and sum(timings) == 60  # OPTIONS.minutes
    assert 'data-deck-total-time="60"' in html
    words = [len(n.split()) for n in tiny_notes(rendered / "slides")]
    for seconds, count in zip(timings, words, strict=True):
        assert seconds == pytest.approx(60 * count / sum(words), abs=1.5)


def test_html_overview_posters_are_last_frames(exported, rendered):
    import base64

    html = exported["html"].read_text(encoding="utf-8")
    starts = re.findall(r'data-deck-poster="data:image/webp;base64,([^"]+)"', html)
    ends = re.findall(r'data-deck-overview="data:image/webp;base64,([^"]+)"', html)
    for start, end, video in zip(starts, ends, tiny_videos(rendered / "slides"), strict=True):
        first, last = frames_of(video)
        shown_first = Image.open(io.BytesIO(base64.b64decode(start)))
        shown_last = Image.open(io.BytesIO(base64.b64decode(end)))
        assert difference(first, shown_first) < difference(last, shown_first)  # playback start
        assert difference(last, shown_last) < difference(first, shown_last)  # overview


def test_pacing_spreads_whole_seconds_by_words():
    from deck.export.pacing import seconds_per_slide

    notes = ["one two three", "", "a b c d e f g h i j k l"]
    seconds = seconds_per_slide(notes, 2)
    assert sum(seconds) == 120 and min(seconds) >= 1
    # 1 s each, then 117 s in proportion to 3 : 1 : 12 words
    assert seconds == [1 + 22, 1 + 7, 1 + 88]
    assert seconds_per_slide(["x"] * 4, 4 / 60) == [1, 1, 1, 1]
    with pytest.raises(ValueError, match="less than one second"):
        seconds_per_slide(["x"] * 4, 3 / 60)


def test_too_short_a_talk_is_an_export_error(rendered, tmp_path):
    with pytest.raises(ExportError, match="more minutes") as info:
        export(
            at(rendered / "slides", tmp_path, "gqa"),
            ["Tiny"],
            ("html",),
            options=ExportOptions(minutes=1 / 60),
        )
    assert "\n" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_changed_options_make_the_exports_stale(rendered, tmp_path):
    slides = tmp_path / "slides"
    shutil.copytree(rendered / "slides", slides)
    out = tmp_path / "out"
    export(at(slides, out, "gqa"), ["Tiny"], ("pdf",), options=OPTIONS)
    assert up_to_date(at(slides, out, "gqa"), ["Tiny"], ("pdf",), options=OPTIONS)
    retitled = dataclasses.replace(OPTIONS, title="Another title")
    assert not up_to_date(at(slides, out, "gqa"), ["Tiny"], ("pdf",), options=retitled)


def test_formats_and_stem_are_honoured(rendered, tmp_path):
    paths = export(at(rendered / "slides", tmp_path / "new", "gqa-x"), ["Tiny"], formats=("pdf",))
    assert paths == [tmp_path / "new" / "gqa-x.pdf"]
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == ["gqa-x.pdf"]
    with pytest.raises(ValueError, match="docx"):
        export(at(rendered / "slides", tmp_path, "gqa"), ["Tiny"], formats=("docx",))


def test_neutralised_javascript_behaves_the_same():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    source = (
        "const a = `http://x/</script>`; const b = 'https://y'; /* https://c */\n"
        "const r = /<!--(?:-?>)/; const s = '<script>';\n"
        "console.log(JSON.stringify([a, b, r.test('<!-->'), r.test('<!-'), s]));"
    )
    neutral = reveal.neutral_js(source)
    assert not re.search(r"https?://|</script|<script|<!--", neutral, re.IGNORECASE)
    run = [
        subprocess.run([node, "-e", js], capture_output=True, text=True, check=True).stdout
        for js in (source, neutral)
    ]
    assert run[0] == run[1]


# ── bad input ────────────────────────────────────────────────────────────
def test_missing_scene_names_it(rendered, tmp_path):
    with pytest.raises(ExportError) as info:
        export(at(rendered / "slides", tmp_path, "gqa"), ["Tiny", "Nope", "Gone"])
    message = str(info.value)
    assert "Nope, Gone" in message and "Tiny" not in message
    assert "deck build" in message and "\n" not in message
    assert list(tmp_path.iterdir()) == []


def _faststart(data: bytes, scratch: Path) -> bytes:
    """The same video with its index (moov) first, as streaming-friendly encoders write it."""
    import av

    (scratch / "in.mp4").write_bytes(data)
    with (
        av.open(str(scratch / "in.mp4")) as src,
        av.open(str(scratch / "out.mp4"), "w", options={"movflags": "faststart"}) as dst,
    ):
        stream = dst.add_stream_from_template(src.streams.video[0])
        for packet in src.demux(src.streams.video[0]):
            if packet.dts is not None:
                packet.stream = stream
                dst.mux(packet)
    return (scratch / "out.mp4").read_bytes()


@pytest.mark.parametrize(
    "damage", ["truncated", "truncated-after-index", "empty", "missing", "garbage"]
)
def test_bad_video_keeps_previous_exports(slides, tmp_path, damage):
    out = tmp_path / "out"
    out.mkdir()
    previous = {fmt: out / f"gqa.{fmt}" for fmt in ex.FORMATS}
    for fmt, path in previous.items():
        path.write_bytes(f"previous {fmt}".encode())
    video = tiny_videos(slides)[1]
    data = video.read_bytes()
    if damage == "truncated":
        video.write_bytes(data[: len(data) // 2])
    elif damage == "truncated-after-index":  # opens fine; its packets stop early
        fast = _faststart(data, tmp_path)
        video.write_bytes(fast[: len(fast) * 6 // 10])
    elif damage == "empty":
        video.write_bytes(b"")
    elif damage == "missing":
        video.unlink()
    else:
        video.write_bytes(b"\x00" * 4096)

    with pytest.raises(ExportError) as info:
        export(at(slides, out, "gqa"), ["Tiny"])
    assert str(video) in str(info.value) and "\n" not in str(info.value)
    assert {f: p.read_bytes() for f, p in previous.items()} == {
        f: f"previous {f}".encode() for f in previous
    }
    assert leftovers(out) == []


def test_corrupt_config_is_an_export_error(slides, tmp_path):
    (slides / "Tiny.json").write_text("{ not json")
    with pytest.raises(ExportError, match=r"Tiny\.json.*deck build"):
        export(at(slides, tmp_path, "gqa"), ["Tiny"])


def test_missing_reveal_js_says_how_to_install(rendered, tmp_path, monkeypatch):
    monkeypatch.setattr(reveal, "REVEAL_DIR", tmp_path / "nowhere")
    with pytest.raises(ExportError, match=r"setup\.sh"):
        export(at(rendered / "slides", tmp_path, "gqa"), ["Tiny"], formats=("html",))
    assert leftovers(tmp_path) == []


# ── interruption and failure while writing ──────────────────────────────
def _fail_midway(exc: BaseException):
    def write(configs, dest: Path, options, pictures) -> None:
        dest.write_bytes(b"%PDF-1.4 half a fi")  # a partial file, as a real crash leaves
        raise exc

    return write


@pytest.mark.parametrize("exc", [KeyboardInterrupt(), OSError(28, "No space left on device")])
def test_interrupted_export_leaves_old_files(rendered, tmp_path, monkeypatch, exc):
    previous = {fmt: tmp_path / f"gqa.{fmt}" for fmt in ex.FORMATS}
    for fmt, path in previous.items():
        path.write_bytes(f"previous {fmt}".encode())
    # html is written first and succeeds; pdf dies half-way.
    monkeypatch.setitem(ex.WRITERS, "pdf", _fail_midway(exc))

    expected = KeyboardInterrupt if isinstance(exc, KeyboardInterrupt) else ExportError
    with pytest.raises(expected):
        export(at(rendered / "slides", tmp_path, "gqa"), ["Tiny"])
    for fmt, path in previous.items():
        assert path.read_bytes() == f"previous {fmt}".encode(), fmt
    assert leftovers(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in previous.values())


def test_first_export_interrupted_leaves_nothing(rendered, tmp_path, monkeypatch):
    monkeypatch.setitem(ex.WRITERS, "pptx", _fail_midway(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        export(at(rendered / "slides", tmp_path, "gqa"), ["Tiny"])
    assert list(tmp_path.iterdir()) == []


def test_leftovers_of_a_killed_export_are_removed(rendered, tmp_path):
    dead = tmp_path / ".gqa.pdf.999999999-0123abcd.tmp"  # no such pid
    dead.write_bytes(b"half")
    other = tmp_path / ".notes.txt.tmp"  # not ours
    other.write_bytes(b"keep")
    export(at(rendered / "slides", tmp_path, "gqa"), ["Tiny"], formats=("pdf",))
    assert not dead.exists() and other.exists()


def test_up_to_date_until_a_video_or_the_config_changes(rendered, tmp_path):
    slides = tmp_path / "slides"
    shutil.copytree(rendered / "slides", slides)
    out = tmp_path / "out"
    assert not up_to_date(at(slides, out, "gqa"), ["Tiny"])
    export(at(slides, out, "gqa"), ["Tiny"])
    assert up_to_date(at(slides, out, "gqa"), ["Tiny"])
    first = json.loads((slides / "Tiny.json").read_text())["slides"][0]["file"]
    video = slides.parent / first  # as manim-slides resolves it
    os.utime(video, ns=(video.stat().st_atime_ns, video.stat().st_mtime_ns + 10**9))
    assert not up_to_date(at(slides, out, "gqa"), ["Tiny"])
    export(at(slides, out, "gqa"), ["Tiny"])
    (out / "gqa.pdf").unlink()
    assert not up_to_date(at(slides, out, "gqa"), ["Tiny"])


def test_not_up_to_date_once_another_build_overwrote_the_exports(rendered, tmp_path):
    # two qualities (two slides folders) export to the same presentations/gqa.*
    low, high = tmp_path / "low" / "slides", tmp_path / "high" / "slides"
    for folder in (low, high):
        shutil.copytree(rendered / "slides", folder)
    out = tmp_path / "out"
    export(at(high, out, "gqa"), ["Tiny"])
    assert up_to_date(at(high, out, "gqa"), ["Tiny"])
    export(at(low, out, "gqa"), ["Tiny"])
    assert up_to_date(at(low, out, "gqa"), ["Tiny"])
    assert not up_to_date(at(high, out, "gqa"), ["Tiny"])  # the files are low's now


# ── pictures kept between exports: only a changed slide is decoded again ──
@pytest.fixture
def decoded(monkeypatch, tmp_path):
    """Call it for the frames decoded since the last call: sorted (video name, "first" or
    "last"). Counted in the export's worker processes too: forked, they inherit the patch
    and append to one log file."""
    log = tmp_path / "decoded.log"
    decode = pictures.decode

    def counted(video: Path, frame: str):
        with log.open("a") as out:
            out.write(f"{Path(video).name} {frame}\n")
        return decode(video, frame)

    monkeypatch.setattr(pictures, "decode", counted)

    def since_last_call() -> list[tuple[str, ...]]:
        lines = log.read_text().splitlines() if log.exists() else []
        log.unlink(missing_ok=True)
        return sorted(tuple(line.split()) for line in lines)

    return since_last_call


def both_frames(*videos: Path) -> list[tuple[str, ...]]:
    return sorted((video.name, frame) for video in videos for frame in ("first", "last"))


def shown_pictures(out: Path) -> dict[str, list[Image.Image]]:
    """Every slide's picture in each export: the HTML's posters (first frames) and
    overview pictures, the PDF's pages, the handout's frames and the PowerPoint posters
    (the handout's in no particular order)."""
    from pptx import Presentation

    pypdf = pytest.importorskip("pypdf")
    html = (out / "gqa.html").read_text(encoding="utf-8")

    def inlined(attribute: str) -> list[Image.Image]:
        found = re.findall(rf'{attribute}="data:image/webp;base64,([^"]+)"', html)
        return [Image.open(io.BytesIO(base64.b64decode(data))) for data in found]

    def images(pdf: Path) -> list[Image.Image]:
        return [i.image for page in pypdf.PdfReader(pdf).pages for i in page.images]

    deck = Presentation(str(out / "gqa.pptx"))
    return {
        "poster": inlined("data-deck-poster"),
        "overview": inlined("data-deck-overview"),
        "pdf": images(out / "gqa.pdf"),
        "handout": images(out / "gqa-handout.pdf"),
        "pptx": [Image.open(io.BytesIO(poster_blob(s.shapes[0]))) for s in deck.slides],
    }


def test_an_export_decodes_only_the_slides_whose_videos_changed(slides, tmp_path, decoded):
    kept, out = tmp_path / "pictures", tmp_path / "out"
    videos = tiny_videos(slides)
    export(at(slides, out, "gqa"), ["Tiny"], options=OPTIONS, pictures_dir=kept)
    assert decoded() == both_frames(*videos)  # each frame once, for all four formats
    export(at(slides, out, "gqa"), ["Tiny"], options=OPTIONS, pictures_dir=kept)
    assert decoded() == []
    shown_before = shown_pictures(out)

    # the second slide rendered again, differently: red turning green
    changed = videos[1]
    old_first, old_last = frames_of(changed)
    write_video(tmp_path / "new.mp4", [RED] * 5 + [GREEN] * 5)
    os.replace(tmp_path / "new.mp4", changed)
    export(at(slides, out, "gqa"), ["Tiny"], options=OPTIONS, pictures_dir=kept)
    assert decoded() == both_frames(changed)

    new_first, new_last = frames_of(changed)
    for name, shown in shown_pictures(out).items():
        # (a PDF lists a page's images in no particular order: they are matched)
        before = [picture.convert("RGB") for picture in shown_before[name]]
        assert len(shown) == len(before) == SLIDES, name
        same = [s for s in shown if any(difference(b, s) == 0 for b in before)]
        assert len(same) == SLIDES - 1, name  # every slide's picture but the second's
        new, old = (new_first, old_first) if name == "poster" else (new_last, old_last)
        closest = min(difference(new, s) for s in shown)
        assert closest < difference(new, old) / 10, name
    # what the old video showed is gone; one file per picture of each video remains
    kinds = {kind for fmt in ex.FORMATS for kind in ex.needs(fmt)}  # what these formats embed
    assert len(list(kept.iterdir())) == len(videos) * len(kinds)


@pytest.mark.parametrize("damage", ["truncated", "empty", "overwritten"])
def test_a_damaged_kept_picture_is_made_again(slides, tmp_path, decoded, damage):
    kept, out = tmp_path / "pictures", tmp_path / "out"
    export(at(slides, out, "gqa"), ["Tiny"], ("pdf",), options=OPTIONS, pictures_dir=kept)
    decoded()
    video = tiny_videos(slides)[2]
    (entry,) = kept.glob(f"{pictures.video_digest(video)}.{pictures.LABELS['page']}.*.jpg")
    data = entry.read_bytes()
    damaged = {"truncated": data[: len(data) // 2], "empty": b"", "overwritten": data[::-1]}
    entry.write_bytes(damaged[damage])

    export(at(slides, out, "gqa"), ["Tiny"], ("pdf",), options=OPTIONS, pictures_dir=kept)
    assert decoded() == [(video.name, "last")]
    assert entry.read_bytes() == data
    pypdf = pytest.importorskip("pypdf")
    (image,) = pypdf.PdfReader(out / "gqa.pdf").pages[2].images
    first, last = frames_of(video)
    assert difference(last, image.image) < difference(first, image.image)


def test_pictures_of_other_settings_are_not_used_and_not_kept(slides, tmp_path, decoded):
    kept, out = tmp_path / "pictures", tmp_path / "out"
    export(at(slides, out, "gqa"), ["Tiny"], ("pdf",), options=OPTIONS, pictures_dir=kept)
    decoded()
    video = tiny_videos(slides)[0]
    (entry,) = kept.glob(f"{pictures.video_digest(video)}.{pictures.LABELS['page']}.*")
    label = pictures.LABELS["page"]
    earlier = entry.with_name(entry.name.replace(label, "page-00000000"))  # another quality
    entry.rename(earlier)

    export(at(slides, out, "gqa"), ["Tiny"], ("pdf",), options=OPTIONS, pictures_dir=kept)
    assert decoded() == [(video.name, "last")]
    assert entry.is_file() and not earlier.exists()


def test_pictures_that_cannot_be_kept_are_an_export_error(slides, tmp_path):
    blocked = tmp_path / "pictures"
    blocked.write_text("a file where the folder should be")
    out = tmp_path / "out"
    out.mkdir()
    (out / "gqa.pdf").write_bytes(b"previous pdf")
    with pytest.raises(ExportError, match=r"cannot keep the slides' pictures in") as info:
        export(at(slides, out, "gqa"), ["Tiny"], ("pdf",), options=OPTIONS, pictures_dir=blocked)
    assert "\n" not in str(info.value)
    assert (out / "gqa.pdf").read_bytes() == b"previous pdf"
    assert leftovers(out) == []


# ── live slides (the HTML deck's widgets) ───────────────────────────────
def widget(preset: str = "demo-1b"):
    models = list(PRESETS.values())
    return calculator_widget(models, PRESETS[preset], "2 · KV-cache calculator", "2 / 3")


def sections(page: str) -> list[str]:
    return re.findall(r"<section\b.*?</section>", page, flags=re.DOTALL)


def test_the_live_slide_holds_the_widget_and_its_font(rendered, tmp_path):
    live = ExportOptions(interactive={1: widget()})
    (path,) = export(at(rendered / "slides", tmp_path, "gqa"), ["Tiny"], ("html",), options=live)
    page = path.read_text(encoding="utf-8")
    assert [s.count('class="kvc"') for s in sections(page)] == [0, 1, 0]
    assert not re.search(r"https?://", page, re.IGNORECASE)
    # the video stays under the widget (the other formats show it), and so does the notes
    assert page.count("data-deck-video=") == 3
    assert page.count('<aside class="notes" dir="auto">') == 3
    inlined = re.search(r'src: url\(data:font/otf;base64,([^)]+)\) format\("opentype"\)', page)
    font, _, _ = fonts.font_file("Inter")
    # a subset of the deck's font, with a glyph for every character the calculator's page
    # writes and its tabular figures, a quarter of the file or less
    data = base64.b64decode(inlined[1])
    assert len(data) < font.stat().st_size / 4
    subset, whole = TTFont(io.BytesIO(data)), TTFont(font)
    shown = set(re.sub(r"<[^>]+>", " ", sections(page)[1])) - set(string.whitespace)
    cmap = subset.getBestCmap()
    assert {c for c in shown if ord(c) in whole.getBestCmap()} <= {chr(u) for u in cmap}
    assert {chr(u) for u in cmap} >= set("0123456789,.×−≈…†·KMGiB")
    features = {r.FeatureTag for r in subset["GSUB"].table.FeatureList.FeatureRecord}
    assert "tnum" in features
    options = re.findall(r'<select name="model">(.*?)</select>', page, flags=re.DOTALL)[0]
    assert re.findall(r'value="([^"]+)"', options) == list(PRESETS)


def test_a_live_slide_outside_the_deck_is_refused(rendered, tmp_path):
    with pytest.raises(ExportError, match=r"live slide 3 .* 3 slides") as info:
        options = ExportOptions(interactive={3: widget()})
        export(at(rendered / "slides", tmp_path, "gqa"), ["Tiny"], options=options)
    assert "\n" not in str(info.value)
    assert list(tmp_path.iterdir()) == []


def test_a_live_slide_has_its_widgets_notes_in_the_html(rendered, tmp_path):
    said = "Pick a model and a context: the bars follow."
    live = ExportOptions(interactive={1: dataclasses.replace(widget(), notes=said)})
    (path,) = export(at(rendered / "slides", tmp_path, "gqa"), ["Tiny"], ("html",), options=live)
    notes = re.findall(r'<aside class="notes" dir="auto">(.*?)</aside>', path.read_text(), re.S)
    assert len(notes) == 3 and notes[1] == said and said not in (notes[0], notes[2])


def test_up_to_date_follows_the_live_slides(rendered, tmp_path):
    slides, out = rendered / "slides", tmp_path / "out"
    live = ExportOptions(interactive={1: widget()})
    export(at(slides, out, "gqa"), ["Tiny"], ("html",), options=live)
    assert up_to_date(at(slides, out, "gqa"), ["Tiny"], ("html",), options=live)
    assert not up_to_date(at(slides, out, "gqa"), ["Tiny"], ("html",))
    other = ExportOptions(interactive={1: widget("llama-3-8b")})  # another model first
    assert not up_to_date(at(slides, out, "gqa"), ["Tiny"], ("html",), options=other)


def test_a_missing_font_says_how_to_install_it():
    with pytest.raises(ExportError, match=r"setup\.sh"):
        fonts.font_file("No Such Font Family 9f2c")


def test_subsetting_the_font_logs_nothing(caplog, tmp_path):
    """fontTools logs every table it subsets at INFO; manim's handler would print them all
    (118 KB of a build's output, enough to fill a pipe that a caller reads later)."""
    import logging

    font, _, _ = fonts.font_file("Inter")
    with caplog.at_level(logging.INFO):
        fonts.subset(font, cache=tmp_path)
    assert not [r for r in caplog.records if r.name.startswith("fontTools")]
