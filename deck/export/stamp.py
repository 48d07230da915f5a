"""Whether the exports are current: a stamp of what they were made from.

The stamp (`<slides>/<stem>.exported`, beside the renders, so that presentations/ holds
nothing but the exports) records a digest of the inputs and the size and mtime of each
output, so an export that another slides folder (another quality) overwrote since, or
one deleted, is not taken for current.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from deck.compat import manim_slides, pptx
from deck.compat.manim_slides import slide_video
from deck.export import reveal
from deck.export.writer import ExportOptions

# The exporter's own code and templates, and the compatibility modules it reads and writes through.
PACKAGE = Path(__file__).parent
CODE_SUFFIXES = (".py", ".j2", ".js", ".css")


def _code_files() -> list[Path]:
    own = sorted(p for p in PACKAGE.rglob("*") if p.suffix in CODE_SUFFIXES)
    return [*own, *(Path(m.__file__) for m in (manim_slides, pptx))]


def inputs_digest(
    scene_names: Sequence[str],
    slides_dir: Path,
    stem: str,
    formats: Sequence[str],
    options: ExportOptions,
) -> str:
    """What the exports are made of: the slide configs, their videos, this code, reveal.js
    and the options (the talk's title, author, date, minutes, references).

    "" when a slide config is missing (nothing to compare with).
    """
    h = hashlib.sha256(f"{stem}|{','.join(formats)}|{options!r}".encode())
    for path in _code_files():
        h.update(path.read_bytes())
    for asset in reveal.REVEAL_ASSETS:
        path = reveal.reveal_dist() / asset
        h.update(path.read_bytes() if path.is_file() else b"")
    for name in scene_names:
        config = Path(slides_dir) / f"{name}.json"
        if not config.is_file():
            return ""
        h.update(config.read_bytes())
        for slide in json.loads(config.read_text()).get("slides", []):
            video = slide_video(config, slide.get("file", ""))
            stat = video.stat() if video.is_file() else None
            h.update(f"{video.name}:{stat and stat.st_size}:{stat and stat.st_mtime_ns}".encode())
    return h.hexdigest()


def stamp_path(slides_dir: Path, stem: str) -> Path:
    return Path(slides_dir) / f"{stem}.exported"


def _identities(paths: Sequence[Path]) -> dict[str, list[int]]:
    return {p.name: [p.stat().st_size, p.stat().st_mtime_ns] for p in paths}


def is_current(
    scene_names: Sequence[str],
    slides_dir: Path,
    outputs: Sequence[Path],
    stem: str,
    formats: Sequence[str],
    options: ExportOptions,
) -> bool:
    """True when every output exists, is the file this slides folder's last export wrote,
    and was made from exactly the current inputs."""
    stamp = stamp_path(slides_dir, stem)
    if not stamp.is_file() or not all(p.is_file() for p in outputs):
        return False
    try:
        recorded = json.loads(stamp.read_text())
    except ValueError:
        return False
    digest = inputs_digest(scene_names, slides_dir, stem, formats, options)
    return bool(digest) and recorded == {"inputs": digest, "outputs": _identities(outputs)}


def record(
    scene_names: Sequence[str],
    slides_dir: Path,
    outputs: Sequence[Path],
    stem: str,
    formats: Sequence[str],
    options: ExportOptions,
) -> None:
    """Stamp the outputs just written as made from the current inputs."""
    digest = inputs_digest(scene_names, slides_dir, stem, formats, options)
    stamp = {"inputs": digest, "outputs": _identities(outputs)}
    stamp_path(slides_dir, stem).write_text(json.dumps(stamp) + "\n")
