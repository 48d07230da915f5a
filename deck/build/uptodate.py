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

import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from importlib import metadata
from pathlib import Path

from deck.export import out_path, reveal
from deck.project import Build
from deck.system import atomic, digest

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


def inputs_digest(build: Build, formats: Sequence[str]) -> str:
    settings = {
        "talk": asdict(build.talk),
        "quality": build.quality,
        "formats": list(formats),
        "python": sys.version,
        "versions": {name: metadata.version(name) for name in LIBRARIES},
    }
    root = build.project.code
    code = [p for p in root.rglob("*") if p.suffix in CODE_SUFFIXES and p.is_file()]
    return digest.build_inputs(settings, code, root.parent, reveal.assets_digest())


def outputs(build: Build, formats: Sequence[str]) -> list[Path]:
    return [out_path(build, fmt) for fmt in formats]


def identities(build: Build, formats: Sequence[str]) -> dict[str, list[int] | None]:
    """Size and mtime of every file in the slides folder (temporary files aside) and of
    each export; None for an export that is missing."""
    slides = [
        p for p in sorted(build.slides.rglob("*")) if p.is_file() and not p.name.startswith(".")
    ]
    found = digest.identities(slides, build.slides)
    found |= {f"exports/{p.name}": digest.identity(p) for p in outputs(build, formats)}
    return found


def record(build: Build, scene_names: Sequence[str], formats: Sequence[str], inputs: str) -> None:
    """After a whole-deck build succeeded: what it was made from (`inputs`, the digest taken
    when it started: a file edited while it ran is a change for the next one), and what
    it left."""
    stamp = {
        "inputs": inputs,
        "scenes": list(scene_names),
        "files": identities(build, formats),
    }
    atomic.write_text(build.folder / STAMP, json.dumps(stamp) + "\n")


def scenes_if_unchanged(build: Build, formats: Sequence[str], inputs: str) -> list[str] | None:
    """The deck's scenes when nothing has changed since the last whole-deck build, so that
    this one has nothing to do; None otherwise (or when the stamp is unreadable)."""
    try:
        recorded = json.loads((build.folder / STAMP).read_text())
        files, scenes, digest = recorded["files"], recorded["scenes"], recorded["inputs"]
    except (OSError, ValueError, TypeError, KeyError):
        return None
    if files != identities(build, formats):
        return None
    if digest != inputs:
        return None
    if not isinstance(scenes, list) or not all(isinstance(s, str) for s in scenes):
        return None
    return scenes
