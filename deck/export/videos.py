"""The input of every export: manim-slides' slide configs and the videos they name.

Everything is checked before anything is written, so that a bad render is reported in
one line (which file, and `deck build` again) instead of a converter's traceback.
"""

from __future__ import annotations

import collections
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import av
from PIL import Image
from pydantic import ValidationError

from deck import compat
from deck.export.writer import ExportError

if TYPE_CHECKING:
    from manim_slides.config import PresentationConfig


def check_video(path: Path) -> float:
    """Duration (s) of a readable video; ExportError naming the file otherwise.

    Cheap: opens the container and walks its packets without decoding any frame.
    """
    if not path.is_file():
        raise ExportError(f"video {path} is missing: run `deck build` again")
    if path.stat().st_size == 0:
        raise ExportError(f"video {path} is empty (0 bytes): run `deck build` again")
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise ExportError(f"video {path} has no video stream: run `deck build` again")
            stream = container.streams.video[0]
            if stream.duration is None or stream.time_base is None:
                raise ExportError(f"video {path} has no duration: run `deck build` again")
            duration = float(stream.duration * stream.time_base)
            # A file cut short after a complete header still opens: its packets end early.
            end = 0
            for packet in container.demux(stream):
                if packet.pts is not None and packet.size:
                    end = max(end, packet.pts + (packet.duration or 0))
    except (av.error.FFmpegError, OSError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise ExportError(f"video {path} is corrupt ({reason}): run `deck build` again") from None
    if duration <= 0 or end < 0.95 * stream.duration:
        raise ExportError(f"video {path} is truncated: run `deck build` again")
    return duration


def first_frame(video: Path) -> Image.Image:
    """The video's first frame: what shows the moment its slide starts."""
    with av.open(str(video)) as container:
        for frame in container.decode(video=0):
            return frame.to_image()
    raise ExportError(f"video {video} has no frames: run `deck build` again")


def last_frame(video: Path) -> Image.Image:
    """The video's last frame: what its slide shows once it has played.

    Decoding starts at the last keyframe (a seek), not at the first frame: at 1080p60 that
    is the difference between decoding a few frames and the whole slide.
    """
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        if stream.duration:
            container.seek(stream.duration, stream=stream, backward=True)
        frames = collections.deque(container.decode(stream), maxlen=1)  # keep the last
        if frames:
            return frames[0].to_image()
    raise ExportError(f"video {video} has no frames: run `deck build` again")


def slide_files(config_file: Path) -> list[Path]:
    """The video files a slide config refers to, resolved the way manim-slides does."""
    try:
        raw = json.loads(config_file.read_text(encoding="utf-8"))
        files = [slide["file"] for slide in raw["slides"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ExportError(
            f"{config_file} is unreadable ({type(exc).__name__}): run `deck build` again"
        ) from None
    return [compat.slide_video(config_file, f) for f in files]


def load_presentations(scene_names: Sequence[str], slides_dir: Path) -> list[PresentationConfig]:
    """Validated manim-slides configs of the scenes, in order, with every video checked."""
    slides_dir = Path(slides_dir)
    if not scene_names:
        raise ExportError("no scenes to export")
    missing = [name for name in scene_names if not (slides_dir / f"{name}.json").is_file()]
    if missing:
        raise ExportError(
            f"no rendered slides for {', '.join(missing)} in {slides_dir}: run `deck build` first"
        )
    configs = []
    for name in scene_names:
        config_file = slides_dir / f"{name}.json"
        for video in dict.fromkeys(slide_files(config_file)):
            check_video(video)
        try:
            configs.append(compat.load_presentation(config_file))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise ExportError(
                f"{config_file} is invalid ({where}: {first['msg']}): run `deck build` again"
            ) from None
    return configs
