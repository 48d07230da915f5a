"""Slides rendered before, reused when nothing that shapes their frames has changed.

A slide's frames are a deterministic function of what is on screen when its beat
starts, the beat's own code, the code around it (the scene module's other code and
every deck module it imports), the model, the theme, the quality, the library versions
and the talk's details that the scene has read by the end of the beat (speaker, event,
date, …). The key hashes exactly those. An edit to one slide's text changes that
beat's key, and the next beat's too when the edited text is still on screen when it
starts; a new speaker changes the keys of the slides whose scene read the speaker (or
that start on a picture showing it); every other slide is taken from the cache instead
of being rendered again.

Which details a beat reads is known only once it has run: each rendered slide leaves
the list beside the videos (`<base key>.reads.json`, the base key hashing everything
but the details), and the next render looks the slide up by its base key, that list
and the details' values.

The slide's number is not in the key: a video is cached as `<key>.<n>-<N>.mp4`, and a
slide whose key is cached under another number is renumbered from that video
(deck/build/numbering.py), not rendered again.
"""

from __future__ import annotations

import inspect
import json
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple

from manim import Mobject

from deck.build import numbering
from deck.build.numbering import Counter
from deck.compat.manim_slides import slide_video
from deck.export.videos import video_problem
from deck.scenes.look import picture_hash
from deck.system import atomic, digest
from deck.talk import TALK_DETAILS, Talk


def module_without_beats(module_source: str, beats: list[Callable]) -> str:
    """The scene module's source less its beats' bodies (those are hashed per beat)."""
    for method in beats:
        module_source = module_source.replace(inspect.getsource(method), "")
    return module_source


class RecordedTalk:
    """A talk read through, noting which of its details are read (`read`) while `recording`."""

    def __init__(self, talk: Talk):
        self.talk = talk
        self.read: set[str] = set()
        self.recording = True

    def __getattr__(self, name: str) -> Any:
        if self.recording and name in TALK_DETAILS:
            self.read.add(name)
        if self.recording and name == "chosen":  # a property of `lineup`
            self.read.add("lineup")
        return getattr(self.talk, name)


def details_key(base: str, talk: Talk, names: Iterable[str]) -> str:
    """`base` (a slide's key without the talk's details) with the values of `names`."""
    return digest.details_key(base, {name: str(getattr(talk, name)) for name in sorted(names)})


class Renumbering(NamedTuple):
    """What a renumbered video is drawn and encoded with."""

    theme: str
    quality: str
    preset: str

    def renumber(self, source: Path, dest: Path, old: Counter, new: Counter) -> bool:
        return numbering.renumbered(source, dest, old, new, *self)


class BeatCache:
    """`folder/<key>.<n>-<N>.mp4` and `folder/<base key>.reads.json`, and per scene the
    keys its last render used."""

    def __init__(self, folder: Path, context: str, renumbering: Renumbering):
        self.folder = folder
        self.context = context  # everything shared by the scene's beats, already hashed
        self.renumbering = renumbering
        self.keys: list[tuple[str, bool]] = []  # (key.n-N, taken from the cache) per slide
        self.counters: list[Counter] = []  # the counter each slide shows
        self.dropped = 0  # damaged cached videos deleted by lookup()
        self.renumbered = 0  # slides renumbered from a video cached under another number
        self.bases: dict[str, list[str]] = {}  # base key → details read, per slide

    def key(self, method: Callable, on_screen: list[Mobject], extra: str) -> str:
        """The base key: everything but the talk's details."""
        source = inspect.getsource(method)
        return digest.slide_key(self.context, source, picture_hash(on_screen), extra)

    def reads(self, base: str) -> set[str] | None:
        """The talk's details read by the slide of key `base` when it was last rendered."""
        try:
            return set(json.loads((self.folder / f"{base}.reads.json").read_text()))
        except (FileNotFoundError, ValueError):
            return None

    def _intact(self, path: Path) -> Path | None:
        """`path` if it is a complete video. A damaged one (cut short by a full disk, say)
        is deleted: that slide is rendered again, as if it had never been cached."""
        if not path.is_file():
            return None
        if video_problem(path) is not None:
            path.unlink(missing_ok=True)
            self.dropped += 1
            return None
        return path

    def lookup(self, key: str, counter: Counter) -> Path | None:
        """The cached video of this key showing `counter`, or None. One cached under
        another number is renumbered into it when its counter's corner holds nothing else."""
        wanted = self.folder / f"{numbering.variant(key, counter)}.mp4"
        if self._intact(wanted) is not None:
            return wanted
        for other in sorted(self.folder.glob(f"{key}.*.mp4")):
            parsed = numbering.parse_variant(other.stem)
            if parsed is None or self._intact(other) is None:
                continue
            if self.renumbering.renumber(other, wanted, parsed[1], counter):
                self.renumbered += 1
                return wanted
        return None

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
                    shutil.copyfile(slide_video(slides_json, slide["file"]), temp)
        for base, names in self.bases.items():
            atomic.write_text(self.folder / f"{base}.reads.json", json.dumps(sorted(names)) + "\n")
        keys = [k for k, _ in self.keys]
        write_index(slides_json, {"keys": keys, "bases": [*self.bases], "counters": self.counters})

    @property
    def reused(self) -> int:
        return sum(taken for _, taken in self.keys)


class ReusesSlides:
    """Mixin for a deck scene rendered for real: a slide whose key is in `beat_cache`
    becomes its earlier video; the beat still runs, unrendered, so that the scene's
    state is what the next beat expects."""

    beat_cache: BeatCache  # set by the renderer on the mixed class

    def __init__(self, talk: Talk, *args, **kwargs):
        super().__init__(RecordedTalk(talk), *args, **kwargs)

    def previous_picture(self, before: type) -> Mobject | None:
        # hashed as a picture when a slide starts on it: building it is not a read
        self.talk.recording = False
        try:
            return super().previous_picture(before)
        finally:
            self.talk.recording = True

    def begin_slide(self, method: Callable, notes: str, loop: bool) -> None:
        cache, counter = self.beat_cache, self.counter_shown
        # the counter is on screen already: the key leaves it out (it is in the file name)
        on_screen = [mob for mob in self.mobjects if mob is not self.canvas.get("counter")]
        base = cache.key(method, on_screen, f"{notes}|{loop}|{self.slide_content}")
        last_time = cache.reads(base)
        key = cached = None
        if last_time is not None:  # what this scene has read so far counts too
            key = details_key(base, self.talk.talk, last_time | self.talk.read)
            cached = cache.lookup(key, counter)
        self.slide_base = base
        self.slide_key = numbering.variant(key, counter) if cached is not None else None
        if cached is None:
            super().begin_slide(method, notes, loop)
        else:
            self.next_slide(notes=notes, loop=loop, src=cached)
            self.next_slide(skip_animations=True)

    def end_slide(self, name: str) -> None:
        super().end_slide(name)
        cache, read = self.beat_cache, sorted(self.talk.read)
        if self.slide_key is not None:
            cache.keys.append((self.slide_key, True))
        else:
            key = details_key(self.slide_base, self.talk.talk, read)
            cache.keys.append((numbering.variant(key, self.counter_shown), False))
        cache.counters.append(self.counter_shown)
        cache.bases[self.slide_base] = read


def index_path(slides_json: Path) -> Path:
    """The keys, bases and counters of a scene's last render, beside its JSON."""
    return slides_json.with_suffix(".beats.json")


def read_index(slides_json: Path) -> dict | None:
    try:
        entry = json.loads(index_path(slides_json).read_text())
    except (OSError, ValueError):
        return None
    return entry if isinstance(entry, dict) else None


def write_index(slides_json: Path, entry: dict) -> None:
    atomic.write_text(index_path(slides_json), json.dumps(entry) + "\n")


def prune(folder: Path, slides_folder: Path) -> int:
    """Delete cached videos (and lists of details read) that no scene's last render used;
    return how many videos.

    An unreadable index could be hiding any key: then nothing is deleted.
    """
    used: set[str] = set()
    for index in slides_folder.glob("*.beats.json"):
        try:
            entry = json.loads(index.read_text())
        except (OSError, ValueError):
            return 0
        if isinstance(entry, dict) and isinstance(entry.get("keys"), list):
            used.update(str(key) for key in entry["keys"] + entry.get("bases", []))
        elif isinstance(entry, list):
            used.update(str(key) for key in entry)
        else:
            return 0
    stale = [p for p in folder.glob("*.mp4") if p.stem not in used]
    for path in stale:
        path.unlink()
    for reads in folder.glob("*.reads.json"):
        if reads.name.removesuffix(".reads.json") not in used:
            reads.unlink()
    return len(stale)
