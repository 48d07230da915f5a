"""The input of every export: manim-slides' slide configs and the videos they name.

Everything is checked before anything is written, so that a bad render is reported in
one line (which file, and `deck build` again) instead of a converter's traceback.
"""

from __future__ import annotations

import collections
import functools
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import av
from PIL import Image
from pydantic import ValidationError

from deck.compat.manim_slides import load_presentation, slide_video
from deck.failure import ExportError

if TYPE_CHECKING:
    from manim_slides.config import PresentationConfig


class _Unusable(Exception):
    """A video that cannot be played as it is; the message says why ("is truncated")."""


def check_video(path: Path) -> float:
    """Duration (s) of a readable video; ExportError naming the file otherwise."""
    try:
        return _duration(Path(path))
    except _Unusable as bad:
        raise ExportError(f"video {path} {bad}: run `deck build` again") from None


def video_problem(path: Path) -> str | None:
    """Why `path` is not a playable video ("is missing", "is truncated", ...), or None."""
    try:
        _duration(Path(path))
    except _Unusable as bad:
        return str(bad)
    return None


def _duration(path: Path) -> float:
    if not path.is_file():
        raise _Unusable("is missing")
    stat = path.stat()
    if stat.st_size == 0:
        raise _Unusable("is empty (0 bytes)")
    return _walk_packets(str(path), stat.st_size, stat.st_mtime_ns, stat.st_ino)


@functools.lru_cache(maxsize=4096)
def _walk_packets(path: str, size: int, mtime_ns: int, inode: int) -> float:
    """The duration of a video whose every packet is there (raises _Unusable otherwise).

    Cheap: opens the container and walks its packets without decoding any frame. Only
    good results are remembered (an exception is never cached), keyed by the file's
    identity, so the build's check and the export's cost one walk per video.
    """
    try:
        with av.open(path) as container:
            if not container.streams.video:
                raise _Unusable("has no video stream")
            stream = container.streams.video[0]
            if stream.duration is None or stream.time_base is None:
                raise _Unusable("has no duration")
            duration = float(stream.duration * stream.time_base)
            # A file cut short after a complete header still opens: its packets end early.
            end = 0
            for packet in container.demux(stream):
                if packet.pts is not None and packet.size:
                    end = max(end, packet.pts + (packet.duration or 0))
    except (av.error.FFmpegError, OSError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise _Unusable(f"is corrupt ({reason})") from None
    if duration <= 0 or end < 0.95 * stream.duration:
        raise _Unusable("is truncated")
    return duration


def config_problem(config_file: Path, slides: int) -> str | None:
    """Why a scene's slide config cannot be exported as it is, or None: it is unreadable
    or invalid, holds another number of slides than `slides`, or names a video that is
    missing or damaged."""
    try:
        presentation = load_presentation(config_file)
    except ValidationError as exc:
        return _invalid(exc)
    except (OSError, ValueError, TypeError, AttributeError, KeyError) as exc:
        return f"is unreadable ({type(exc).__name__})"
    if len(presentation.slides) != slides:
        return f"has {len(presentation.slides)} slides instead of {slides}"
    for video in dict.fromkeys(s.file for s in presentation.slides):
        problem = video_problem(video)
        if problem is not None:
            return f"names {video.name}, which {problem}"
    return None


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
    return [slide_video(config_file, f) for f in files]


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
            configs.append(load_presentation(config_file))
        except ValidationError as exc:
            raise ExportError(f"{config_file} {_invalid(exc)}: run `deck build` again") from None
    return configs


def _invalid(exc: ValidationError) -> str:
    first = exc.errors()[0]
    return f"is invalid ({'.'.join(str(p) for p in first['loc'])}: {first['msg']})"
