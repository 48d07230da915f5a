"""One video of the whole talk, to post after it: every slide's animation in order, each
then held on its last frame, silent, H.264 in MP4 for any player.

A slide is held for its share of the pacing plan when the talk has minutes (the time the
speaker spends on it, less its animation), else for `HOLD_SECONDS`, at least
`MIN_HOLD_SECONDS` either way. The frames are decoded and encoded again (PyAV's own x264,
no ffmpeg needed): the slides' files each carry their own encoder parameters, which one
stream cannot switch between. A held frame costs almost nothing: x264 codes an
unchanged frame as skipped blocks.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

import av
from av.video.frame import PictureType

from deck.export import pacing
from deck.export.writer import ExportOptions

if TYPE_CHECKING:
    from manim_slides.config import PresentationConfig

    from deck.export.pictures import Pictures

PICTURES = ()  # decodes the videos itself
HOLD_SECONDS = 3.0  # without a pacing plan: time to read a settled slide
MIN_HOLD_SECONDS = 1.0
# yuv420p and the main profile's tools: what every player decodes (browsers, phones,
# QuickTime); CRF 23 as manim's own slide videos, veryfast as the deck's encoder
ENCODER = {"crf": "23", "preset": "veryfast", "movflags": "+faststart"}
PIXEL_FORMAT = "yuv420p"


def holds(configs: list[PresentationConfig], options: ExportOptions, seconds: list[float]):
    """How long each slide is held after its animation of `seconds`."""
    if options.minutes is None:
        return [HOLD_SECONDS for _ in seconds]
    notes = [s.notes for c in configs for s in c.slides]
    planned = pacing.seconds_per_slide(notes, options.minutes)
    return [max(MIN_HOLD_SECONDS, p - s) for p, s in zip(planned, seconds, strict=True)]


def _length(path: Path) -> tuple[int, Fraction]:
    """A slide video's frame count and frame rate (from its header, else by decoding)."""
    with av.open(str(path)) as source:
        stream = source.streams.video[0]
        rate = Fraction(stream.average_rate or stream.base_rate)
        frames = stream.frames or sum(1 for _ in source.decode(video=0))
    return frames, rate


def write(
    configs: list[PresentationConfig], dest: Path, options: ExportOptions, pictures: Pictures
) -> None:
    slides = [s for c in configs for s in c.slides]
    lengths = [_length(s.file) for s in slides]
    rate = lengths[0][1]
    plan = holds(configs, options, [float(n / r) for n, r in lengths])
    width, height = configs[0].resolution
    with av.open(str(dest), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=rate, options=ENCODER)
        stream.width, stream.height, stream.pix_fmt = width, height, PIXEL_FORMAT
        encoded = 0

        def put(frame: av.VideoFrame) -> None:
            nonlocal encoded
            frame.pts, frame.time_base = encoded, 1 / rate
            # A decoded frame keeps its source's picture type, and FFmpeg's x264 makes
            # every frame typed I a keyframe: a held slide's last frame, when it was one,
            # cost 16–39 KB a frame (the talk's video: 50 MiB at 480p). Untyped, x264
            # chooses: a held frame becomes skipped blocks.
            frame.pict_type = PictureType.NONE
            for packet in stream.encode(frame):
                out.mux(packet)
            encoded += 1

        for slide, hold in zip(slides, plan, strict=True):
            last = None
            with av.open(str(slide.file)) as source:
                for frame in source.decode(video=0):
                    last = frame.reformat(format=PIXEL_FORMAT)
                    put(last)
            for _ in range(round(hold * rate)):
                put(last)
        for packet in stream.encode():
            out.mux(packet)
