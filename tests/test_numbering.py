"""Renumbering a slide's video: its counter corner shows the new number, all else stays."""

from __future__ import annotations

import av
import numpy as np
import pytest

from deck.build import numbering
from deck.build.encoding import X264_PRESET

QUALITY, OLD, NEW = "low", (12, 51), (13, 52)


def luma(frame: np.ndarray, height: int) -> np.ndarray:
    return frame[:height].astype(np.int16)


def slide_like_video(path, counter, frames: int = 12, into_corner: int | None = None):
    """A slide's video as the deck renders it: `counter` in its corner and a bar moving
    across the content below; in frame `into_corner`, the bar rises into the corner."""
    drawn = numbering.counter_frame(counter, "dark", QUALITY)
    height, width = drawn.shape[0] * 2 // 3, drawn.shape[1]
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=15, options={"crf": "23", "preset": X264_PRESET})
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        for index in range(frames):
            frame = drawn.copy()
            x = 40 + index * 40
            top = 20 if index == into_corner else height // 2
            left = width - 90 if index == into_corner else x
            frame[top : top + 40, left : left + 60] = 235  # a bright bar (luma)
            picture = av.VideoFrame.from_ndarray(frame, format="yuv420p")
            picture.pts = index
            out.mux(stream.encode(picture))
        out.mux(stream.encode(None))
    return path, height


def decoded(path) -> list[np.ndarray]:
    with av.open(str(path)) as video:
        return [f.to_ndarray(format="yuv420p") for f in video.decode(video=0)]


def test_the_counter_is_drawn_in_the_headers_right_corner_on_the_background():
    drawn = numbering.counter_frame(OLD, "dark", QUALITY)
    height = drawn.shape[0] * 2 // 3
    rows, cols = numbering.corner(drawn, numbering.counter_frame(NEW, "dark", QUALITY), height)
    assert (height, drawn.shape[1]) == (480, 854)
    assert rows.stop < height * 0.12 and cols.start > drawn.shape[1] * 0.8  # top right
    assert rows.start % 2 == cols.start % 2 == rows.stop % 2 == cols.stop % 2 == 0
    background = numbering.counter_frame(OLD, "light", QUALITY)
    assert luma(background, height)[0, 0] > 200 > luma(drawn, height)[0, 0] + 150  # the theme's


def test_a_renumbered_video_shows_the_new_counter_and_keeps_every_other_pixel(tmp_path):
    source, height = slide_like_video(tmp_path / "old.mp4", OLD)
    dest = tmp_path / "new.mp4"
    assert numbering.renumbered(source, dest, OLD, NEW, "dark", QUALITY, X264_PRESET)
    before, after = decoded(source), decoded(dest)
    assert len(after) == len(before)
    new = numbering.counter_frame(NEW, "dark", QUALITY)
    old = numbering.counter_frame(OLD, "dark", QUALITY)
    where = numbering.corner(old, new, height)
    for was, now in zip(before, after, strict=True):
        mean, share = numbering.corner_difference(now, new, where, height)
        assert mean < numbering.CLEAN_MEAN and share <= numbering.CLEAN_SHARE
        assert numbering.corner_difference(now, old, where, height)[1] > 0.01  # it did change
        outside = np.abs(luma(now, height) - luma(was, height))
        outside[where] = 0
        assert outside.mean() < 1.0  # one more x264 pass at CRF 23, nothing else
    with av.open(str(dest)) as video:
        assert video.streams.video[0].average_rate == 15


def test_a_corner_that_holds_more_than_the_counter_is_not_renumbered(tmp_path):
    source, _ = slide_like_video(tmp_path / "old.mp4", OLD, into_corner=7)
    dest = tmp_path / "new.mp4"
    assert not numbering.renumbered(source, dest, OLD, NEW, "dark", QUALITY, X264_PRESET)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.mp4"]  # nothing half-written


def test_a_counter_that_is_not_the_one_named_is_not_renumbered(tmp_path):
    source, _ = slide_like_video(tmp_path / "old.mp4", (11, 51))
    assert not numbering.renumbered(
        source, tmp_path / "new.mp4", OLD, NEW, "dark", QUALITY, X264_PRESET
    )


@pytest.mark.parametrize(
    ("name", "parsed"),
    [("0123abcd.12-51", ("0123abcd", (12, 51))), ("0123abcd", None), ("x.1-2", None)],
)
def test_variant_names_carry_the_counter(name, parsed):
    assert numbering.parse_variant(name) == parsed
    if parsed is not None:
        assert numbering.variant(*parsed) == name
