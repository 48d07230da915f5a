"""Slide numbers: a slide rendered under one number, shown under another without rendering it.

Every slide shows "n / N" in the header's right corner (deck/components/chrome.py), drawn
into its video. Adding, leaving out or moving one slide changes the number of every slide
after it, and the total of all of them, but nothing else in them; rendering them again
would cost a whole deck's render for one new slide. So a slide is cached without its
number (deck/build/beatcache.py), and a video rendered under another number is
renumbered: in every frame, the corner that holds either counter takes the pixels
manim draws for the new counter, after a check, frame by frame, that the corner held the
old counter and nothing else (a slide whose drawing passes through the corner is
rendered again instead). Only that corner changes; the rest of each frame is encoded
again as manim encodes it (libx264, CRF 23, the build's preset).

The pictures are compared and patched in the video's own YUV 4:2:0, the corner aligned
to the chroma's 2 × 2 blocks, so that a patched corner is what manim's encoder would
have been given.
"""

from __future__ import annotations

import functools
import re
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from deck.system import atomic

Counter = tuple[int, int]  # (the slide's number, the deck's total)

# A corner holds only its counter when its pixels, decoded, are those drawn for it up to
# x264's loss at CRF 23. Measured over every frame of every slide of the default deck
# at 480p15 (51 slides): the mean luma difference at most 2.3 levels, no pixel off by
# more than 33; a counter one digit off (22 for 23) is 5.5 levels and 3 % of the pixels
# off by more than DIFFERENT_LEVEL.
DIFFERENT_LEVEL = 48  # of 255, in luma
CLEAN_MEAN = 4.0  # mean absolute luma difference, of 255
CLEAN_SHARE = 0.002  # share of the corner's pixels off by more than DIFFERENT_LEVEL
MARGIN = 4  # pixels of air around the counters' ink, for antialiasing and the codec's ringing

VARIANT = re.compile(r"^(?P<key>[0-9a-f]+)\.(?P<number>\d+)-(?P<total>\d+)$")


def variant(key: str, counter: Counter) -> str:
    """The cached video's name (without .mp4) of the slide of `key` under `counter`."""
    return f"{key}.{counter[0]}-{counter[1]}"


def parse_variant(name: str) -> tuple[str, Counter] | None:
    found = VARIANT.match(name)
    if found is None:
        return None
    return found["key"], (int(found["number"]), int(found["total"]))


def counters_of(scene: type, talk) -> list[Counter]:
    """The counter each slide of `scene` shows in `talk`."""
    from deck.scenes import placement, slides_of

    where = placement(scene, talk)
    return [(where.first_slide + i, where.total_slides) for i in range(len(slides_of(scene, talk)))]


@functools.lru_cache(maxsize=256)
def counter_frame(counter: Counter, theme_name: str, quality: str) -> np.ndarray:
    """The counter alone on the slide's background, as a yuv420p frame's planes
    ((h · 3/2) × w, PyAV's layout), drawn by manim's camera at the quality's size."""
    from manim import Camera, tempconfig

    from deck import theme
    from deck.build.quality import QUALITIES
    from deck.scenes.base import counter_picture

    options = {
        "quality": QUALITIES[quality].flag,
        "background_color": theme.palette(theme_name).BACKGROUND,
    }
    with tempconfig(options), theme.use(theme_name):
        camera = Camera()
        camera.capture_mobject(counter_picture(*counter))
        rgba = np.asarray(camera.get_image().convert("RGBA"))
    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgba), format="rgba")
    return frame.reformat(format="yuv420p").to_ndarray()


def _planes(frame: np.ndarray, height: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Views of the Y, U and V planes of a yuv420p frame in PyAV's layout."""
    width = frame.shape[1]
    chroma = height // 4  # rows of U (and of V): each is (h/2 · w/2) packed into rows of w
    u = frame[height : height + chroma].reshape(height // 2, width // 2)
    v = frame[height + chroma :].reshape(height // 2, width // 2)
    return frame[:height], u, v


def corner(old: np.ndarray, new: np.ndarray, height: int) -> tuple[slice, slice]:
    """The rows and columns (even-aligned) holding either counter's ink, with MARGIN."""
    background = np.median(old[:height], axis=None)
    ink = (old[:height] != background) | (new[:height] != background)
    rows, cols = np.nonzero(ink)
    top, bottom = max(0, rows.min() - MARGIN), min(height, rows.max() + 1 + MARGIN)
    left, right = max(0, cols.min() - MARGIN), min(old.shape[1], cols.max() + 1 + MARGIN)
    top, left = top - top % 2, left - left % 2
    bottom, right = bottom + bottom % 2, right + right % 2
    return slice(top, bottom), slice(left, right)


def corner_difference(
    frame: np.ndarray, drawn: np.ndarray, where: tuple[slice, slice], height: int
) -> tuple[float, float]:
    """(mean absolute luma difference, share of pixels off by more than DIFFERENT_LEVEL)
    between a decoded frame's corner and the corner as drawn."""
    rows, cols = where
    seen = frame[:height][rows, cols].astype(np.int16)
    expected = drawn[:height][rows, cols].astype(np.int16)
    off = np.abs(seen - expected)
    return float(off.mean()), float((off > DIFFERENT_LEVEL).mean())


def _patch(frame: np.ndarray, drawn: np.ndarray, where: tuple[slice, slice], height: int) -> None:
    rows, cols = where
    half = slice(rows.start // 2, rows.stop // 2), slice(cols.start // 2, cols.stop // 2)
    for plane, source, (r, c) in zip(
        _planes(frame, height), _planes(drawn, height), [where, half, half], strict=True
    ):
        plane[r, c] = source[r, c]


def _renumber(
    source: Path, dest: Path, old: Counter, new: Counter, theme_name: str, quality: str, preset: str
) -> bool:
    """Write `source` (a slide's video showing `old`) to `dest` showing `new`; raises
    _NotClean (nothing written) when a frame's corner holds more than the old counter."""
    with av.open(str(source)) as probe:
        stream = probe.streams.video[0]
        height = stream.codec_context.height
    before = counter_frame(old, theme_name, quality)
    after = counter_frame(new, theme_name, quality)
    where = corner(before, after, height)
    with atomic.replacing(dest) as temp, av.open(str(source)) as inp:
        stream = inp.streams.video[0]
        rate = stream.average_rate or Fraction(stream.codec_context.framerate)
        with av.open(str(temp), mode="w", format="mp4") as out:
            encoded = out.add_stream("libx264", rate=rate, options={"crf": "23", "preset": preset})
            encoded.pix_fmt = "yuv420p"
            encoded.width, encoded.height = stream.codec_context.width, height
            for index, decoded in enumerate(inp.decode(stream)):
                frame = decoded.to_ndarray(format="yuv420p")
                mean, share = corner_difference(frame, before, where, height)
                if mean > CLEAN_MEAN or share > CLEAN_SHARE:
                    raise _NotClean
                _patch(frame, after, where, height)
                picture = av.VideoFrame.from_ndarray(frame, format="yuv420p")
                picture.pts = index
                out.mux(encoded.encode(picture))
            out.mux(encoded.encode(None))
    return True


class _NotClean(Exception):
    """A frame's corner holds more than its counter."""


def renumbered(
    source: Path, dest: Path, old: Counter, new: Counter, theme_name: str, quality: str, preset: str
) -> bool:
    """Write `source` (a slide's video showing `old`) to `dest` showing `new`; False (and
    nothing written) when a frame's corner holds more than the old counter."""
    try:
        return _renumber(source, dest, old, new, theme_name, quality, preset)
    except _NotClean:
        return False
