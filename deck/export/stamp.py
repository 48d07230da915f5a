"""Whether the exports are current: a stamp of what they were made from.

The stamp (`<slides>/<stem>.exported`, beside the renders, so that presentations/ holds
nothing but the exports) records a digest of the inputs and the size and mtime of each
output, so an export that another slides folder (another quality) overwrote since, or
one deleted, is not taken for current.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from deck.compat import manim_slides, pptx
from deck.compat.manim_slides import slide_video
from deck.export import reveal
from deck.export.writer import ExportOptions, out_path
from deck.project import Build
from deck.system import digest

# The exporter's own code and templates, and the compatibility modules it reads and writes through.
PACKAGE = Path(__file__).parent
CODE_SUFFIXES = (".py", ".j2", ".js", ".css")


def _code_files() -> list[Path]:
    own = sorted(p for p in PACKAGE.rglob("*") if p.suffix in CODE_SUFFIXES)
    return [*own, *(Path(m.__file__) for m in (manim_slides, pptx))]


def inputs_digest(
    build: Build, scene_names: Sequence[str], formats: Sequence[str], options: ExportOptions
) -> str:
    """What the exports are made of: the slide configs, their videos, this code, reveal.js
    and the options (the talk's title, author, date, minutes, references).

    "" when a slide config is missing (nothing to compare with).
    """
    configs = []
    for name in scene_names:
        config = build.slides / f"{name}.json"
        if not config.is_file():
            return ""
        slides = json.loads(config.read_text()).get("slides", [])
        configs.append((config, [slide_video(config, s.get("file", "")) for s in slides]))
    heading = f"{build.stem}|{','.join(formats)}|{options!r}"
    return digest.export_inputs(heading, _code_files(), reveal.assets_digest(), configs)


def stamp_path(build: Build) -> Path:
    return build.slides / f"{build.stem}.exported"


def expected(
    build: Build, scene_names: Sequence[str], formats: Sequence[str], options: ExportOptions
) -> dict | None:
    """The stamp the exports carry when they are current: the digest of their inputs and
    each file's identity; None when an export or a slide config is missing."""
    outputs = [out_path(build, fmt) for fmt in formats]
    inputs = inputs_digest(build, scene_names, formats, options)
    if not inputs or not all(p.is_file() for p in outputs):
        return None
    return {"inputs": inputs, "outputs": digest.identities(outputs, build.out_dir)}


def recorded(build: Build) -> dict | None:
    """The stamp this slides folder's last export left, if readable."""
    try:
        return json.loads(stamp_path(build).read_text())
    except (OSError, ValueError):
        return None


def record(build: Build, stamp: dict) -> None:
    """Stamp the exports just written (`expected` once they are in place)."""
    stamp_path(build).write_text(json.dumps(stamp) + "\n")
