"""Each slide's first and last frames, encoded as the exports embed them, kept between exports.

Decoding a video's frames and encoding them (WebP for the HTML deck, JPEG for the PDF and
the handout, PNG for the PowerPoint posters) was most of an export's work, and it was
done again for every slide at every export. A slide's pictures depend on its video's
bytes alone, so they are kept in a folder of the build (`build/<talk>/<quality>/pictures`)
under a digest of those bytes: after an edit, only the slides whose videos changed are
decoded again, and the others' pictures are read back.

An entry's name also carries a digest of its own bytes: a damaged entry (cut short by a
full disk, overwritten) is a miss, made again, never an error. Entries are written to a
temporary file and renamed, so a killed export leaves none half-written, and those of
videos the deck no longer shows are removed after each export (`prune`).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from deck.export import videos
from deck.failure import ExportError
from deck.system import atomic, digest

if TYPE_CHECKING:
    from PIL.Image import Image


@dataclass(frozen=True)
class Kind:
    """One picture of a slide: which of its video's frames, and how it is encoded."""

    frame: str  # "first" or "last"
    format: str  # PIL's name of the encoding
    suffix: str
    mime: str
    options: dict[str, int] = field(default_factory=dict)


WEBP = {"quality": 80, "method": 2}
KINDS = {
    # The HTML deck's poster behind each video (its first frame: playback starts there)
    # and its overview picture (its last frame). WebP is a third of the size of JPEG here
    # (0.5 vs 1.6 MiB for the deck at 1080p) and every current browser shows it. Effort
    # ("method") 2 of 6: measured on the deck's 32 last frames at 480p, 0.44 s and
    # 698 KiB, against 1.17 s and 673 KiB at PIL's default 4.
    "poster": Kind("first", "WEBP", ".webp", "image/webp", WEBP),
    "overview": Kind("last", "WEBP", ".webp", "image/webp", WEBP),
    # The slide's own picture on a PDF page (quality 75: a screen's worth of detail at
    # half the bytes of 90) and in the handout (flat colours and text, which quality 90
    # keeps crisp on paper). Both documents embed the JPEG's bytes as they are.
    "page": Kind("last", "JPEG", ".jpg", "image/jpeg", {"quality": 75}),
    # The small HTML deck's one picture per slide: its last frame at WebP quality 65
    # (the 42 slides at 1080p: 2.5 MiB in base64, against 3.1 MiB at the overview's 80;
    # text stays clean at full screen), so that the file goes by mail (under 3 MiB).
    "lite": Kind("last", "WEBP", ".webp", "image/webp", {"quality": 65, "method": 4}),
    "still": Kind("last", "JPEG", ".jpg", "image/jpeg", {"quality": 90}),
    # The PowerPoint movie's poster, shown whenever the video is not playing. JPEG at
    # quality 90 without chroma subsampling (4:4:4 keeps coloured text crisp; it moves it
    # by about one level in 255): PNG posters (5.5 MB for the 1080p deck) outweighed the
    # videos themselves (3.6 MB).
    "poster-frame": Kind("last", "JPEG", ".jpg", "image/jpeg", {"quality": 90, "subsampling": 0}),
}
VIDEO_DIGEST = 32  # hex digits of a video's digest in an entry's name
ENTRY_DIGEST = 16  # hex digits of the entry's own digest
SETTINGS_DIGEST = 8  # hex digits of a kind's settings in its label
ENTRY = re.compile(
    rf"([0-9a-f]{{{VIDEO_DIGEST}}})\.([a-z-]+-[0-9a-f]{{{SETTINGS_DIGEST}}})"
    rf"\.([0-9a-f]{{{ENTRY_DIGEST}}})\.\w+"
)

# (function, videos, their kinds) → results in order: `map`, or a process pool's `map`
Runner = Callable[[Callable, Iterable, Iterable], Iterable]


def decode(video: Path, frame: str) -> Image:
    """One frame of the video, "first" or "last" (the only place the pictures decode)."""
    return videos.first_frame(video) if frame == "first" else videos.last_frame(video)


def encode(image: Image, kind: Kind) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, kind.format, **kind.options)
    return buffer.getvalue()


def make(video: str, kinds: Sequence[str]) -> dict[str, bytes]:
    """The pictures `kinds` of one video, each frame decoded once; a video that cannot
    be decoded is an ExportError naming it."""
    frames: dict[str, Image] = {}
    made = {}
    try:
        for name in kinds:
            kind = KINDS[name]
            if kind.frame not in frames:
                frames[kind.frame] = decode(Path(video), kind.frame)
            made[name] = encode(frames[kind.frame], kind)
    except ExportError:
        raise
    except Exception as exc:
        reason = " ".join(str(exc).split())[:200]
        raise ExportError(
            f"cannot read the frames of {video} ({type(exc).__name__}: {reason}): "
            "run `deck build` again"
        ) from None
    return made


# A kind's name in the entries' names, with a digest of its settings: pictures made with
# other settings (an earlier quality, another frame) are never taken for these.
LABELS = {
    name: f"{name}-{digest.of_bytes(repr(kind).encode(), SETTINGS_DIGEST)}"
    for name, kind in KINDS.items()
}


def video_digest(video: Path) -> str:
    return digest.of_file(video, VIDEO_DIGEST)


@dataclass(frozen=True)
class Pictures:
    """The deck's pictures for the writers: (video, kind) → a file holding it."""

    files: dict[tuple[str, str], Path]

    def path(self, video: Path | str, kind: str) -> Path:
        """The picture's file, named with its suffix (reportlab embeds a .jpg as it is)."""
        return self.files[(str(video), kind)]

    def read(self, video: Path | str, kind: str) -> bytes:
        return self.path(video, kind).read_bytes()

    def only(self, kinds: Iterable[str]) -> Pictures:
        wanted = set(kinds)
        return Pictures({key: p for key, p in self.files.items() if key[1] in wanted})


class PictureFolder:
    """`<video digest>.<label>.<entry digest><suffix>` files: one per picture made."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.entries: dict[tuple[str, str], list[Path]] = {}  # (video, label) → files
        with contextlib.suppress(OSError):  # no folder yet: every picture is a miss
            for name in os.listdir(self.folder):
                match = ENTRY.fullmatch(name)
                if match:
                    self.entries.setdefault((match[1], match[2]), []).append(self.folder / name)

    def lookup(self, video: str, kind: str) -> Path | None:
        """The entry of this video digest and kind whose bytes are intact, or None."""
        return self._intact(video, LABELS[kind])

    def _intact(self, video: str, label: str) -> Path | None:
        for path in self.entries.get((video, label), []):
            try:
                data = path.read_bytes()
            except OSError:
                continue
            if ENTRY.fullmatch(path.name)[3] == digest.of_bytes(data, ENTRY_DIGEST):
                return path
        return None

    def store(self, video: str, kind: str, data: bytes) -> Path:
        label = LABELS[kind]
        path = (
            self.folder
            / f"{video}.{label}.{digest.of_bytes(data, ENTRY_DIGEST)}{KINDS[kind].suffix}"
        )
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with atomic.replacing(path) as temp:
                temp.write_bytes(data)
        except OSError as exc:
            raise ExportError(
                f"cannot keep the slides' pictures in {self.folder}: {exc.strerror or exc}"
            ) from None
        self.entries.setdefault((video, label), []).insert(0, path)
        return path

    def prune(self, keep: Iterable[str]) -> int:
        """Delete the entries of videos other than `keep` (digests), of settings no kind
        has now, and damaged or superseded ones; return how many were deleted."""
        keep, current = set(keep), set(LABELS.values())
        removed = 0
        for (video, label), paths in self.entries.items():
            good = self._intact(video, label) if video in keep and label in current else None
            for path in paths:
                if path != good:
                    path.unlink(missing_ok=True)
                    removed += 1
        return removed


def gather(
    slide_videos: Iterable[Path | str], kinds: Sequence[str], folder: Path, run: Runner = map
) -> tuple[Pictures, set[str]]:
    """The pictures `kinds` of every video, made (through `run`) only where `folder`
    holds no intact entry; and the digests of the videos."""
    store = PictureFolder(folder)
    atomic.discard_stale_in([store.folder])  # temporary files of a killed export
    files: dict[tuple[str, str], Path] = {}
    digests: dict[str, str] = {}
    missing: dict[str, list[str]] = {}
    for video in dict.fromkeys(str(v) for v in slide_videos):
        digests[video] = video_digest(Path(video))
        for kind in kinds:
            found = store.lookup(digests[video], kind)
            if found is None:
                missing.setdefault(video, []).append(kind)
            else:
                files[(video, kind)] = found
    for video, made in zip(missing, run(make, missing, missing.values()), strict=True):
        for kind, data in made.items():
            files[(video, kind)] = store.store(digests[video], kind, data)
    return Pictures(files), set(digests.values())
