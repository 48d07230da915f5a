"""The speaker's own slides, `[[slide]]` in the talk file: read and checked (every bad
input one line, exit 2, nothing built), numbered among the deck's slides, drawn in the
grid (the layout tests lay out the example talk and the largest own slides allowed:
tests/conftest.py), and rendered for real into every export, each cached on its own."""

from __future__ import annotations

import itertools
import json
import re
import shutil
from pathlib import Path

import numpy as np
import pypdf
import pytest
from PIL import Image
from pptx import Presentation

from deck import cli, theme
from deck.build import numbering
from deck.build.quality import QUALITIES
from deck.commands import player
from deck.compat.manim_slides import slide_video
from deck.components.roles import PICTURE
from deck.export.pictures import decode
from deck.failure import TalkFileError
from deck.project import Project
from deck.scenes import BY_NAME, BY_SECTION, placement, slide_number, slides_of, total_slides
from deck.talk import Talk
from deck.talk.file import read_talk_file
from deck.talk.lineup import whole_talk
from tests.conftest import (
    EXAMPLE_TALK,
    LARGEST_OWN_TALK,
    OWN_SLIDES_TALK,
    constructed_for,
    longest_point,
    picture,
    talk_for,
)
from tests.test_cut import changed_share, run_deck, talk_of, write

EXAMPLE_MODEL = json.loads(
    (EXAMPLE_TALK.parent / "../../tests/data/configs/Llama-2-70b-hf/config.json").read_text()
)


# ── read and numbered ───────────────────────────────────────────────────
def test_the_example_talk_places_its_own_slides_after_the_slides_it_names():
    talk = talk_for(OWN_SLIDES_TALK)
    chart, groups, points = talk.own_slides
    assert chart.after == "evidence.models_table" and chart.image.name == "results.png"
    # a section's name: after its last slide
    assert groups.after == f"dataflow.{BY_SECTION['dataflow'].beat_names()[-1]}"
    assert points.after == "closing.takeaways" and len(points.points) == 3
    # the model's fields are filled in: the config's own head counts
    heads, kv = EXAMPLE_MODEL["num_attention_heads"], EXAMPLE_MODEL["num_key_value_heads"]
    assert groups.title == f"{heads} query heads, {kv} KV heads"
    assert f"keeps {kv} KV heads for its {heads} query heads" in chart.notes
    assert total_slides(talk) == len(whole_talk().slides()) + 3


def test_own_slides_are_numbered_in_the_talk_and_the_next_section_opens_on_one():
    talk = talk_for(OWN_SLIDES_TALK)
    evidence, closing = BY_SECTION["evidence"], BY_SECTION["closing"]
    assert slides_of(evidence, talk)[-2:] == ("models_table", "own.1")
    number = slide_number(evidence, "models_table", talk)
    assert slide_number(BY_SECTION["beyond"], "smaller_caches", talk) == number + 2
    assert slides_of(closing, talk)[:2] == ("takeaways", "own.3")
    decoding = placement(BY_SECTION["decoding"], talk)
    assert decoding.opens_on == talk.own_slides[1] and decoding.previous is None
    # what the talk's numbering counts, counted along the slides
    names = [n for s in BY_SECTION.values() for n in slides_of(s, talk)]
    assert len(names) == total_slides(talk)


def test_an_own_slide_is_its_title_picture_and_source_under_the_sections_header():
    talk = talk_for(OWN_SLIDES_TALK)
    scene = constructed_for("Evidence", talk)
    snap = scene.snapshots[-1]
    assert snap.beat == "own.1" and snap.notes.startswith("Four open models")
    texts = [i.text for i in snap.items if i.role == "text"]
    number = slide_number(BY_SECTION["evidence"], "models_table", talk) + 1
    assert f"{number} / {total_slides(talk)}" in texts
    assert any(t.endswith(scene.SECTION) for t in texts)
    assert talk.own_slides[0].title in texts and talk.own_slides[0].source in texts
    [drawn] = [i for i in snap.items if i.role == PICTURE]
    with Image.open(talk.own_slides[0].image) as image:
        aspect = image.width / image.height
    assert (drawn.right - drawn.left) / (drawn.top - drawn.bottom) == pytest.approx(
        aspect, rel=0.01
    )


@pytest.mark.parametrize("index", [1, 2, 3])
def test_a_picture_is_as_large_as_the_content_area_holds_it_undistorted(index):
    """The tall picture fills the body's height, the wide one the content's width."""
    talk = talk_for(LARGEST_OWN_TALK)
    own = talk.own_slides[index]
    scene = constructed_for("Closing" if own.after.startswith("closing") else _scene_of(own), talk)
    snap = next(s for s in scene.snapshots if s.beat == own.name)
    [drawn] = [i for i in snap.items if i.role == PICTURE]
    width, height = drawn.right - drawn.left, drawn.top - drawn.bottom
    with Image.open(own.image) as image:
        assert width / height == pytest.approx(image.width / image.height, rel=0.01)
    bottom = theme.CONTENT_BOTTOM + (0.5 if own.source else 0.0)
    fills_width = width == pytest.approx(theme.CONTENT_WIDTH, abs=0.01)
    fills_height = height == pytest.approx(theme.BODY_TOP - bottom, abs=0.01)
    assert fills_width or fills_height
    assert drawn.top == pytest.approx(theme.BODY_TOP, abs=0.01)
    assert (drawn.left + drawn.right) / 2 == pytest.approx(0, abs=0.01)


def _scene_of(own) -> str:
    return BY_SECTION[own.after.partition(".")[0]].__name__


def test_six_points_of_the_largest_size_fit_at_the_smaller_type_step():
    talk = talk_for(LARGEST_OWN_TALK)
    scene = constructed_for("WhyGQA", talk)
    snap = next(s for s in scene.snapshots if s.beat == "own.1")
    bullets = [i for i in snap.items if i.text == "•"]
    lines = [i for i in snap.items if i.role == "text" and i.text.startswith("Point")]
    assert len(bullets) == 6 and len(lines) == 6
    assert all(i.font_size == pytest.approx(theme.SIZE.body, abs=0.1) for i in lines)


def test_deck_list_marks_the_own_slides_with_their_numbers_and_titles():
    done = run_deck("list", "--talk", str(EXAMPLE_TALK))
    assert done.returncode == 0, done.stderr
    talk = talk_for(OWN_SLIDES_TALK)
    number = slide_number(BY_SECTION["evidence"], "models_table", talk) + 1
    line = f"{number:>5}. own.1 [own slide] {talk.own_slides[0].title!r}: Four open models"
    assert line in done.stdout
    assert f"Total: {total_slides(talk)} slides" in done.stdout


# ── bad input: one line naming the slide and the key ────────────────────
def files(folder: Path) -> Path:
    """Pictures good and bad beside the talk file."""
    picture(folder / "ok.png", (800, 450))
    (folder / "fake.png").write_text("not a picture\n")
    data = (folder / "ok.png").read_bytes()
    (folder / "cut.png").write_bytes(data[: len(data) // 2])
    picture(folder / "ok.gif", (80, 45))
    (folder / "broken.svg").write_text("<svg><rect")
    (folder / "words.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"><text>Hi</text></svg>'
    )
    (folder / "empty.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"></svg>')
    (folder / "page.svg").write_text("<html></html>")
    (folder / "folder.png").mkdir()
    return folder


OK = 'after = "family.highlight_gqa"\ntitle = "Ours"\n'
SEVEN = ", ".join(f'"Point {n}"' for n in range(7))
LONG = " ".join(["tokens"] * 21)  # three lines at the points' smaller size
# six points, four of them two lines long: one line more than the body holds
TALL = ", ".join(f'"{longest_point("KV heads and", 1 + (n < 4))}"' for n in range(6))
BAD_SLIDES = [
    ("[[slide]]\n" + OK + 'image = "missing.png"', "slide 1: image: 'missing.png' no such file"),
    ("[[slide]]\n" + OK + 'image = "fake.png"', "'fake.png' is not a PNG or JPEG image"),
    ("[[slide]]\n" + OK + 'image = "cut.png"', "'cut.png' cannot be decoded"),
    ("[[slide]]\n" + OK + 'image = "ok.gif"', "must be a PNG, JPEG or SVG file"),
    ("[[slide]]\n" + OK + 'image = "broken.svg"', "'broken.svg' is not well-formed SVG"),
    ("[[slide]]\n" + OK + 'image = "words.svg"', "has <text> elements"),
    ("[[slide]]\n" + OK + 'image = "empty.svg"', "'empty.svg' draws nothing"),
    ("[[slide]]\n" + OK + 'image = "page.svg"', "is XML but not SVG"),
    ("[[slide]]\n" + OK + 'image = "folder.png"', "'folder.png' is not a file"),
    ("[[slide]]\n" + OK + f"points = [{SEVEN}]", "slide 1: points: 7 points; at most 6"),
    ("[[slide]]\n" + OK + f'points = ["{LONG}"]', "slide 1: point 1: needs 3 lines"),
    ("[[slide]]\n" + OK + 'points = ["One", ""]', "slide 1: point 2: is empty"),
    ("[[slide]]\n" + OK + "points = []", "slide 1: points: must be a list of lines"),
    ("[[slide]]\n" + OK + 'points = ["a"]\nimage = "ok.png"', "needs either image"),
    ("[[slide]]\n" + OK, "slide 1: needs either image"),
    ('[[slide]]\ntitle = "T"\npoints = ["a"]', "slide 1: after: missing"),
    ('[[slide]]\nafter = "family"\npoints = ["a"]', "slide 1: title: missing"),
    (
        "[[slide]]\n" + OK + 'points = ["a"]\ntitel = "x"',
        "titel: unknown key; did you mean 'title'?",
    ),
    (
        '[[slide]]\nafter = "evidence.model_table"\ntitle = "T"\npoints = ["a"]',
        "after: no slide or section 'evidence.model_table'; did you mean 'evidence.models_table'?",
    ),
    (
        'cut = "lightning"\n[[slide]]\nafter = "evidence.models_table"\ntitle = "T"\n'
        'points = ["a"]',
        "'evidence.models_table' is left out of the talk",
    ),
    (
        f'[[slide]]\nafter = "family"\ntitle = "{LONG}"\npoints = ["a"]',
        "slide 1: title: is too long for one line",
    ),
    ("[[slide]]\n" + OK + 'points = ["{m.n_kv_head}"]', "slide 1: point 1: the model has no field"),
    ("[[slide]]\n" + OK + 'points = ["a"]\nnotes = "{m.n_hed}"', "slide 1: notes: the model has"),
    ("[[slide]]\n" + OK + 'points = ["a\\nb"]', "slide 1: point 1: must be one line"),
    ("[[slide]]\n" + OK + 'points = ["a 🙂"]', "slide 1: point 1:"),
    ("[[slide]]\n" + OK + 'points = ["see https://x.org"]', "holds a web address"),
    ('slide = "results.png"', "slide: must be tables: write [[slide]]"),
    (
        "[[slide]]\n" + OK + f"points = [{TALL}]",
        "slide 1: points: 6 points in 10 lines need more height",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BAD_SLIDES)
def test_a_bad_own_slide_is_one_line_naming_it(tmp_path, text, expected):
    path = write(files(tmp_path), text)
    with pytest.raises(TalkFileError) as caught:
        talk_of(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path)), message
    assert expected in message, message


def test_a_bad_own_slide_stops_the_build_before_anything_is_written(tmp_path, capsys):
    path = write(files(tmp_path), "[[slide]]\n" + OK + 'image = "missing.png"')
    project = Project(tmp_path)
    assert cli.main(["build", "--talk", str(path), "--quality", "low"], project) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "missing.png" in err and "no such file" in err
    assert not (tmp_path / "build").exists() and not (tmp_path / "presentations").exists()


def test_a_talk_without_own_slides_reads_as_before(tmp_path):
    assert "own_slides" not in read_talk_file(write(tmp_path, 'title = "T"\n')).details
    assert Talk.for_preset().own_slides == ()


# ── rendered for real ───────────────────────────────────────────────────
GREEK = "Οι {m.n_kv_heads} κεφαλές κλειδιών και τιμών."
RUSSIAN = "Три пункта, которые мы проверим."
RENDERED = f'''sections = ["scaled_dot_product"]
[[slide]]
after = "scaled_dot_product.formula"
title = "Our measurements"
image = "chart.png"
source = "Our lab"
notes = "{GREEK}"
[[slide]]
after = "scaled_dot_product"
title = "What we try next"
points = ["Uptrain to {{m.n_kv_heads}} KV heads", "Measure at 32,768 tokens"]
notes = "{RUSSIAN}"
'''
STILL_DIFFERENCE = 6.0  # mean of 255 between a decoded last frame and its constructed still
CORNER_DIFFERENCE = 8.0  # the same in the counter's corner; a fresh render: 4.6-6.5


def videos_of(where, scene: type) -> list[Path]:
    config = where.slides / f"{scene.__name__}.json"
    return [slide_video(config, s["file"]) for s in json.loads(config.read_text())["slides"]]


def luma(picture: Image.Image) -> np.ndarray:
    return np.asarray(picture.convert("L"), dtype=float)


def corner_box(*counters) -> tuple[slice, slice]:
    """The pixels (at low quality) that hold any of two counters."""
    drawn = [numbering.counter_frame(c, "dark", "low") for c in counters]
    return numbering.corner(*drawn, drawn[0].shape[0] * 2 // 3)


def build(path: Path, project: Project) -> None:
    assert cli.main(["build", "--talk", str(path), "--quality", "low", "--jobs", "2"], project) == 0


def reused(where, scene: str) -> tuple[int, int]:
    stats = json.loads(where.stats(scene).read_text())
    return stats["slides_reused"], stats["slides"]


def test_own_slides_render_into_every_export_and_each_is_cached_on_its_own(tmp_path, capsys):
    shutil.copyfile(EXAMPLE_TALK.parent / "results.png", tmp_path / "chart.png")
    path = write(tmp_path, RENDERED)
    talk = talk_of(path)
    project = Project(tmp_path)
    build(path, project)
    where = project.build(talk, "low")
    scene = BY_SECTION["scaled_dot_product"]
    shown = placement(scene, talk).slides
    assert shown[2] == "own.1" and shown[-1] == "own.2"
    config = json.loads((where.slides / f"{scene.__name__}.json").read_text(encoding="utf-8"))
    assert len(config["slides"]) == len(shown)
    greek, russian = GREEK.format(m=talk.model), RUSSIAN
    notes = [s["notes"] for s in config["slides"]]
    assert notes[2] == greek and notes[-1] == russian
    videos = [
        slide_video(where.slides / f"{scene.__name__}.json", s["file"]) for s in config["slides"]
    ]
    # the audience sees the slide as drawn: the decoded last frame against the still
    stills = constructed_for(scene.__name__, talk, capture_frames=True).frames
    for index in (2, len(shown) - 1):
        frame = np.asarray(decode(videos[index], "last").convert("RGB"), dtype=float)
        still = np.asarray(stills[index].resize(frame.shape[1::-1]), dtype=float)
        assert np.abs(frame - still).mean() < STILL_DIFFERENCE, index
    # in and out of an own slide, the picture carries on (as between the deck's slides)
    seams = [changed_share(a, b) for a, b in itertools.pairwise(videos)]
    assert max(seams) < 0.01, seams
    total = 1 + len(shown)
    assert len(pypdf.PdfReader(where.out_dir / f"{where.stem}.pdf").pages) == total
    html = (where.out_dir / f"{where.stem}.html").read_text(encoding="utf-8")
    assert html.count("<section") == total
    assert f'<aside class="notes" dir="auto">{greek}</aside>' in html
    deck = Presentation(str(where.out_dir / f"{where.stem}.pptx"))
    assert len(deck.slides) == total
    assert deck.slides[1 + 2].notes_slide.notes_text_frame.text == greek
    handout = " ".join(
        p.extract_text() for p in pypdf.PdfReader(where.out_dir / f"{where.stem}-handout.pdf").pages
    )
    assert "κεφαλές" in handout and "Три пункта" in handout
    presenter = player.prepare(where.slides, ("Opening", scene.__name__), tmp_path / "present")
    merged = json.loads((presenter / f"{player.PRESENTATION}.json").read_text(encoding="utf-8"))
    assert [s["notes"] for s in merged["slides"]][1:] == notes

    # an edited point renders that slide only (it is the last: none starts on it)
    edited = RENDERED.replace("Measure at 32,768", "Measure at 65,536")
    path.write_text(edited, encoding="utf-8")
    build(path, project)
    assert reused(where, scene.__name__) == (len(shown) - 1, len(shown))
    # a new picture under the same name: its slide, and the one that starts on it
    picture(tmp_path / "chart.png", (1600, 900))
    build(path, project)
    assert reused(where, scene.__name__) == (len(shown) - 2, len(shown))
    assert re.search(r"own", where.stem)  # the talk's own cut builds under its own name

    # one more own slide, at the end: every slide's total changes, nothing else in them.
    # The new slide is rendered; the others are renumbered, the title slide's scene
    # without running it, this section's in its run (it shows one slide more)
    before = {
        s.__name__: [luma(decode(v, "last")) for v in videos_of(where, s)]
        for s in (BY_NAME["Opening"], scene)
    }
    added = edited + '[[slide]]\nafter = "scaled_dot_product"\ntitle = "Questions?"\n'
    path.write_text(added + 'points = ["Thank you"]\n', encoding="utf-8")
    talk = talk_of(path)
    capsys.readouterr()
    build(path, project)
    assert "Opening renumbered" in capsys.readouterr().out
    assert reused(where, scene.__name__) == (len(shown), len(shown) + 1)
    assert json.loads(where.stats(scene.__name__).read_text())["slides_renumbered"] == len(shown)
    for name, old in before.items():
        now = videos_of(where, BY_NAME[name])
        # drawn at the videos' own size: a counter's few pixels do not survive a resize
        low = QUALITIES["low"].height
        stills = constructed_for(name, talk, capture_frames=True, height=low).frames
        counters = numbering.counters_of(BY_NAME[name], talk)
        for index, (video, still, counter) in enumerate(zip(now, stills, counters, strict=False)):
            corner = corner_box(counter, (counter[0], counter[1] - 1))
            frame, still = luma(decode(video, "last")), luma(still)
            assert np.abs(frame - still).mean() < STILL_DIFFERENCE, (name, index)
            # the corner shows the new total, as drawn afresh, where the old video did not
            now_off = np.abs(frame - still)[corner].mean()
            assert now_off < CORNER_DIFFERENCE, (name, index, now_off)
            if index < len(old):  # the new slide had no video before
                was_off = np.abs(old[index] - still)[corner].mean()
                assert was_off > 2 * CORNER_DIFFERENCE, (name, index, was_off)
