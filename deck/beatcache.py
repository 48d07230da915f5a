"""Slides rendered before, reused when nothing that shapes their frames has changed.

A slide's frames are a deterministic function of what is on screen when its beat
starts, the beat's own code, the code around it (the scene module's other code and
every deck module it imports), the model, the quality and the library versions. The
key hashes exactly those. An edit to one slide's text changes that beat's key, and
the next beat's too when the edited text is still on screen when it starts; every
other slide is taken from the cache instead of being rendered again.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
from manim import Mobject

from deck import compat
from deck.export import atomic
from deck.export.videos import video_problem


def picture_hash(mobjects: list[Mobject] | tuple[Mobject, ...]) -> str:
    """A fingerprint of what mobjects look like: their points, colours, widths and order."""
    h = hashlib.sha256()
    for mob in mobjects:
        for part in mob.family_members_with_points():
            h.update(np.round(part.points, 4).tobytes())
            style = (
                part.get_fill_rgbas(),
                part.get_stroke_rgbas(),
                [[part.get_stroke_width()]],
                [[part.z_index]],
            )
            for values in style:
                h.update(np.round(np.asarray(values, dtype=float), 4).tobytes())
    return h.hexdigest()


def module_without_beats(module_source: str, beats: list[Callable]) -> str:
    """The scene module's source less its beats' bodies (those are hashed per beat)."""
    for method in beats:
        module_source = module_source.replace(inspect.getsource(method), "")
    return module_source


class BeatCache:
    """`folder/<key>.mp4`, and per scene the keys its last render used."""

    def __init__(self, folder: Path, context: str):
        self.folder = folder
        self.context = context  # everything shared by the scene's beats, already hashed
        self.keys: list[tuple[str, bool]] = []  # (key, taken from the cache) per slide
        self.dropped = 0  # damaged cached videos deleted by lookup()

    def key(self, method: Callable, on_screen: list[Mobject], extra: str) -> str:
        h = hashlib.sha256()
        for part in (self.context, inspect.getsource(method), picture_hash(on_screen), extra):
            h.update(part.encode())
        return h.hexdigest()[:32]

    def lookup(self, key: str) -> Path | None:
        """The cached video of this key, or None. A damaged one (cut short by a full disk,
        say) is deleted: that slide is rendered again, as if it had never been cached."""
        path = self.folder / f"{key}.mp4"
        if not path.is_file():
            return None
        if video_problem(path) is not None:
            path.unlink(missing_ok=True)
            self.dropped += 1
            return None
        return path

    def store(self, slides_json: Path) -> None:
        """After a render: keep the video of every slide rendered afresh under its key."""
        config = json.loads(slides_json.read_text())
        if len(config["slides"]) != len(self.keys):
            raise RuntimeError(
                f"{slides_json}: {len(config['slides'])} slides, {len(self.keys)} beats"
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        for slide, (key, reused) in zip(config["slides"], self.keys, strict=True):
            if not reused:
                with atomic.replacing(self.folder / f"{key}.mp4") as temp:
                    shutil.copyfile(compat.slide_video(slides_json, slide["file"]), temp)
        index = slides_json.with_suffix(".beats.json")
        atomic.write_text(index, json.dumps([key for key, _ in self.keys]) + "\n")

    @property
    def reused(self) -> int:
        return sum(taken for _, taken in self.keys)


class ReusesSlides:
    """Mixin for a deck scene rendered for real: a slide whose key is in `beat_cache`
    becomes its earlier video; the beat still runs, unrendered, so that the scene's
    state is what the next beat expects."""

    beat_cache: BeatCache  # set by the renderer on the mixed class

    def begin_slide(self, method: Callable, notes: str, loop: bool) -> None:
        cache = self.beat_cache
        key = cache.key(method, self.mobjects, f"{notes}|{loop}")
        cached = cache.lookup(key)
        cache.keys.append((key, cached is not None))
        if cached is None:
            super().begin_slide(method, notes, loop)
        else:
            self.next_slide(notes=notes, loop=loop, src=cached)
            self.next_slide(skip_animations=True)


def prune(folder: Path, slides_folder: Path) -> int:
    """Delete cached videos that no scene's last render used; return how many.

    An unreadable index could be hiding any key: then nothing is deleted.
    """
    used = set()
    for index in slides_folder.glob("*.beats.json"):
        try:
            keys = json.loads(index.read_text())
        except (OSError, ValueError):
            return 0
        if not isinstance(keys, list):
            return 0
        used.update(str(key) for key in keys)
    stale = [p for p in folder.glob("*.mp4") if p.stem not in used]
    for path in stale:
        path.unlink()
    return len(stale)
