"""A whole-deck build with nothing to do, known in milliseconds, before manim is imported.

A build that changes nothing still spent two seconds importing manim (the scenes are
manim classes, so listing them and hashing their inputs needs it) before finding that
out. So once a whole-deck `deck build` has succeeded, `record` writes `built.json` in
the build folder: a digest of everything the build was made from (every file of the
deck's code, the talk, the quality, the formats, the Python and library versions,
reveal.js) and the size and mtime of every file it left (the scenes' JSONs, stamps and
videos, the exports' stamp, the exports). A later build whose digest matches and whose
files are all still those has nothing to do (`scenes_if_unchanged`). Any difference at
all (an edit, another talk, a damaged, moved or deleted output, another quality's
exports written over these) falls back to the full check, which finds what to do.
"""

from __future__ import annotations

import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

from deck.export import reveal
from deck.system import atomic
from deck.talk import Talk

ROOT = Path(__file__).resolve().parents[2]
CODE = ROOT / "deck"
CODE_SUFFIXES = (".py", ".j2", ".js", ".css", ".json", ".toml")
# What renders and exports the deck: a new version of any may draw or write differently.
LIBRARIES = (
    "manim",
    "manim-slides",
    "typst",
    "manimpango",
    "av",
    "numpy",
    "pillow",
    "reportlab",
    "python-pptx",
    "jinja2",
)
STAMP = "built.json"


def inputs_digest(talk: Talk, quality: str, formats: Sequence[str]) -> str:
    settings = {
        "talk": asdict(talk),
        "quality": quality,
        "formats": list(formats),
        "python": sys.version,
        "versions": {name: metadata.version(name) for name in LIBRARIES},
    }
    h = hashlib.sha256(json.dumps(settings, sort_keys=True, default=str).encode())
    code = (p for p in CODE.rglob("*") if p.suffix in CODE_SUFFIXES and p.is_file())
    for path in sorted(code):
        h.update(str(path.relative_to(ROOT)).encode())
        h.update(path.read_bytes())
    for asset in reveal.REVEAL_ASSETS:
        path = reveal.reveal_dist() / asset
        h.update(path.read_bytes() if path.is_file() else b"")
    return h.hexdigest()


def identities(slides: Path, outputs: Sequence[Path]) -> dict[str, list[int] | None]:
    """Size and mtime of every file in the slides folder (temporary files aside) and of
    each export; None for an export that is missing."""
    found: dict[str, list[int] | None] = {}
    for path in sorted(slides.rglob("*")):
        if path.is_file() and not path.name.startswith("."):
            stat = path.stat()
            found[path.relative_to(slides).as_posix()] = [stat.st_size, stat.st_mtime_ns]
    for path in outputs:
        stat = path.stat() if path.is_file() else None
        found[f"exports/{path.name}"] = stat and [stat.st_size, stat.st_mtime_ns]
    return found


def record(
    build: Path,
    outputs: Sequence[Path],
    scene_names: Sequence[str],
    talk: Talk,
    quality: str,
    formats: Sequence[str],
) -> None:
    """After a whole-deck build succeeded: what it was made from, and what it left."""
    stamp = {
        "inputs": inputs_digest(talk, quality, formats),
        "scenes": list(scene_names),
        "files": identities(build / "slides", outputs),
    }
    atomic.write_text(build / STAMP, json.dumps(stamp) + "\n")


def scenes_if_unchanged(
    build: Path, outputs: Sequence[Path], talk: Talk, quality: str, formats: Sequence[str]
) -> list[str] | None:
    """The deck's scenes when nothing has changed since the last whole-deck build, so that
    this one has nothing to do; None otherwise (or when the stamp is unreadable)."""
    try:
        recorded = json.loads((build / STAMP).read_text())
        files, scenes, digest = recorded["files"], recorded["scenes"], recorded["inputs"]
    except (OSError, ValueError, TypeError, KeyError):
        return None
    if files != identities(build / "slides", outputs):
        return None
    if digest != inputs_digest(talk, quality, formats):
        return None
    if not isinstance(scenes, list) or not all(isinstance(s, str) for s in scenes):
        return None
    return scenes
