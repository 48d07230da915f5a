"""The slide cache: keys change exactly when a slide's frames could, and reuse renders right."""

from __future__ import annotations

import dataclasses
import datetime
import json
import os

import av
import pytest
from manim import Circle, Square

from deck.build import render
from deck.build.beatcache import (
    TALK_DETAILS,
    BeatCache,
    RecordedTalk,
    Renumbering,
    details_key,
    module_without_beats,
    picture_hash,
    prune,
)
from deck.compat.manim_slides import slide_video
from deck.project import Project
from deck.talk import Talk
from tests.test_compat import BLUE, RED, write_video

LOW = Renumbering("dark", "low", "veryfast")


def beat_a(self):
    """One beat."""
    return "a"


def beat_b(self):
    return "b"


def test_picture_hash_sees_position_colour_and_order():
    square, circle = Square(), Circle()
    base = picture_hash([square, circle])
    assert picture_hash([square.copy(), circle.copy()]) == base
    assert picture_hash([circle, square]) != base
    assert picture_hash([square.copy().shift([0.01, 0, 0]), circle]) != base
    assert picture_hash([square.copy().set_color("#123456"), circle]) != base
    assert picture_hash([square.copy().set_opacity(0.5), circle]) != base


def test_key_depends_on_code_picture_context_and_notes(tmp_path):
    cache = BeatCache(tmp_path, "context", LOW)
    screen = [Square()]
    key = cache.key(beat_a, screen, "notes")
    assert cache.key(beat_a, [Square()], "notes") == key
    assert cache.key(beat_b, screen, "notes") != key
    assert cache.key(beat_a, [Circle()], "notes") != key
    assert cache.key(beat_a, screen, "other notes") != key
    assert BeatCache(tmp_path, "changed context", LOW).key(beat_a, screen, "notes") != key


def test_module_context_ignores_the_beats_own_code():
    import inspect
    import sys

    source = inspect.getsource(sys.modules[__name__])
    rest = module_without_beats(source, [beat_a])
    assert inspect.getsource(beat_a) not in rest
    assert inspect.getsource(beat_b) in rest


def test_store_lookup_and_prune(tmp_path):
    slides = tmp_path / "slides"
    (slides / "files" / "S").mkdir(parents=True)
    for name, colour in (("one", RED), ("two", BLUE)):
        write_video(slides / "files" / "S" / f"{name}.mp4", [colour])
    # as the deck's JSONs hold them: relative to the slides folder's parent
    config = {"slides": [{"file": "slides/files/S/one.mp4"}, {"file": "slides/files/S/two.mp4"}]}
    (slides / "S.json").write_text(json.dumps(config))
    cache = BeatCache(tmp_path / "beats", "ctx", LOW)
    cache.keys = [("k1.1-2", False), ("k2.2-2", True)]
    cache.counters = [(1, 2), (2, 2)]
    (tmp_path / "beats").mkdir()
    write_video(tmp_path / "beats" / "k2.2-2.mp4", [BLUE, BLUE])
    write_video(tmp_path / "beats" / "gone.1-2.mp4", [RED])
    cache.store(slides / "S.json")
    one = (slides / "files" / "S" / "one.mp4").read_bytes()
    assert cache.lookup("k1", (1, 2)).read_bytes() == one
    # a reused slide is not overwritten
    assert cache.lookup("k2", (2, 2)).stat().st_size != len(one)
    assert json.loads((slides / "S.beats.json").read_text())["counters"] == [[1, 2], [2, 2]]
    assert prune(tmp_path / "beats", slides) == 1
    assert cache.lookup("nope", (1, 2)) is None
    assert list((tmp_path / "beats").glob(".*.tmp")) == []


def test_a_damaged_cached_video_is_a_miss(tmp_path):
    cache = BeatCache(tmp_path, "ctx", LOW)
    video = write_video(tmp_path / "k.1-2.mp4", [RED, BLUE, RED])
    os.truncate(video, video.stat().st_size // 2)
    assert cache.lookup("k", (1, 2)) is None and not video.exists()
    assert cache.dropped == 1
    assert BeatCache(tmp_path / "absent", "ctx", LOW).lookup("k", (1, 2)) is None  # no cache at all


def test_prune_deletes_nothing_when_an_index_is_unreadable(tmp_path):
    write_video(tmp_path / "kept.mp4", [RED])
    (tmp_path / "S.beats.json").write_text("[not json")
    assert prune(tmp_path, tmp_path) == 0 and (tmp_path / "kept.mp4").exists()


def test_store_refuses_a_slide_count_mismatch(tmp_path):
    (tmp_path / "S.json").write_text(json.dumps({"slides": [{"file": "x.mp4"}]}))
    cache = BeatCache(tmp_path / "beats", "ctx", LOW)
    with pytest.raises(RuntimeError, match="1 slides, 0 beats"):
        cache.store(tmp_path / "S.json")


def frame_counts(folder, scene):
    config_file = folder / f"{scene}.json"
    config = json.loads(config_file.read_text())
    counts = []
    for slide in config["slides"]:
        with av.open(str(slide_video(config_file, slide["file"]))) as video:
            counts.append(video.streams.video[0].frames)
    return counts, [s["notes"] for s in config["slides"]]


def test_recorded_talk_notes_the_details_read():
    talk = RecordedTalk(Talk.for_preset("demo-1b"))
    assert (talk.model.name, talk.theme, talk.slug) == ("demo-1b", "dark", "demo-1b")
    assert talk.read == set()  # the model and theme shape every slide: not details
    talk.recording = False
    assert talk.title
    assert talk.read == set()
    talk.recording = True
    assert talk.speaker == ""
    assert talk.read == {"speaker"}
    assert set(TALK_DETAILS) >= {"title", "speaker", "affiliation", "event", "date", "minutes"}


def test_details_key_changes_with_the_details_read_only():
    talk = Talk.for_preset("demo-1b")
    other = dataclasses.replace(talk, speaker="Ada Lovelace", date=datetime.date(2026, 12, 1))
    assert details_key("base", talk, []) == details_key("base", other, [])
    assert details_key("base", talk, ["title"]) == details_key("base", other, ["title"])
    assert details_key("base", talk, ["speaker"]) != details_key("base", other, ["speaker"])
    assert details_key("base", other, ["date"]) != details_key("base", talk, ["date"])
    assert details_key("other", talk, []) != details_key("base", talk, [])


@pytest.mark.render
def test_a_second_render_reuses_every_slide(tmp_path):
    """Also for another speaker, event and date: this scene shows none of them."""
    project = Project(tmp_path)
    scene, talk = "AttentionWeights", Talk.for_preset("demo-1b")
    where = project.build(talk, "low")
    render.render_in_process(scene, where)
    first = frame_counts(where.slides, scene)
    other = dataclasses.replace(
        talk, speaker="Ada Lovelace", event="Reading group", date=datetime.date(2026, 12, 1)
    )
    render.render_in_process(scene, project.build(other, "low"))  # the same folder
    stats = json.loads(where.stats(scene).read_text())
    assert stats["slides_reused"] == stats["slides"] == 3
    assert frame_counts(where.slides, scene) == first


@pytest.mark.render
def test_a_changed_detail_renders_the_slides_that_read_it_again(tmp_path):
    project = Project(tmp_path)
    talk = Talk.for_preset("demo-1b")

    def reused(talk: Talk) -> int:
        where = project.build(talk, "low")
        render.render_in_process("Opening", where)
        return json.loads(where.stats("Opening").read_text())["slides_reused"]

    assert reused(talk) == 0
    retitled = dataclasses.replace(talk, title="GQA, explained")
    assert reused(retitled) == 0  # the title slide shows the title
    read = set()
    for path in project.build(talk, "low").beats.glob("*.reads.json"):
        read.update(json.loads(path.read_text()))
    assert "title" in read
    unread = [name for name in TALK_DETAILS if name not in read]
    if unread:  # a detail the title slide does not show changes nothing
        assert reused(dataclasses.replace(retitled, **{unread[0]: None})) == 1
