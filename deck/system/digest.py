"""Every "has anything changed" stamp of the deck, made of the same few primitives.

A stamp is a sha256 fed, in order, by: texts, settings (canonical JSON), files (their
path relative to a root, then their bytes) and the digest of a set of assets; and a
record of what files a step left is their `identities` (size and mtime). The four
stamps are built from these alone:
- a scene's inputs (deck/build/render.py: `scene_inputs`): its code closure and context;
- a slide's key in the slide cache (deck/build/beatcache.py): the scene's shared part
  (`beat_context`), the beat's code, the picture it starts on, the details it read;
- the exports' inputs (deck/export/stamp.py): options, the exporter's code, reveal.js,
  the slide configs and their videos' identities;
- the whole build's inputs (deck/build/uptodate.py): the talk and versions, all of the
  deck's code, reveal.js.
Standard library only: the whole-build check runs before manim is imported.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any


class Stamp:
    """A sha256 of the primitives fed to it, in the order they are fed."""

    def __init__(self) -> None:
        self._hash = hashlib.sha256()

    def text(self, *parts: str) -> Stamp:
        for part in parts:
            self._hash.update(part.encode())
        return self

    def settings(self, value: Any) -> Stamp:
        """Canonical JSON: sorted keys, anything else (a date) as its string."""
        self._hash.update(json.dumps(value, sort_keys=True, default=str).encode())
        return self

    def files(self, paths: Iterable[Path], root: Path | None) -> Stamp:
        """Each file's path relative to `root` (None: no path), then its bytes."""
        for path in paths:
            if root is not None:
                self._hash.update(str(path.relative_to(root)).encode())
            self._hash.update(path.read_bytes())
        return self

    def hexdigest(self, length: int = 64) -> str:
        return self._hash.hexdigest()[:length]


def of_bytes(data: bytes, length: int = 64) -> str:
    return hashlib.sha256(data).hexdigest()[:length]


def of_file(path: Path, length: int = 64) -> str:
    """A file's content digest, read in chunks (a slide video's: its pictures' key)."""
    with open(path, "rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()[:length]


def identity(path: Path) -> list[int] | None:
    """What tells a file apart from a rewritten one without reading it: [size, mtime]."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    return [stat.st_size, stat.st_mtime_ns] if path.is_file() else None


def identities(paths: Iterable[Path], root: Path) -> dict[str, list[int] | None]:
    """`identity` of each path, by its name relative to `root`."""
    return {path.relative_to(root).as_posix(): identity(path) for path in paths}


def assets_digest(paths: Sequence[Path]) -> str:
    """The bytes of a set of files read once per process and version of each (reveal.js's:
    the exports' and the whole build's stamps both hash it); a missing file counts as
    empty."""
    return _assets_digest(tuple((Path(p), *(identity(Path(p)) or (0, 0))) for p in paths))


@functools.lru_cache(maxsize=8)
def _assets_digest(versions: tuple[tuple[Path, int, int], ...]) -> str:
    h = hashlib.sha256()
    for path, *_ in versions:
        h.update(path.read_bytes() if path.is_file() else b"")
    return h.hexdigest()


# ── the deck's own modules a module imports ─────────────────────────────
def _module_path(module: str, code: Path) -> Path | None:
    parts = module.split(".")
    if parts[0] != code.name:
        return None
    base = code.parent.joinpath(*parts)
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def _imports(path: Path) -> frozenset[str]:
    stat = path.stat()
    return _parsed_imports(path, stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=1024)
def _parsed_imports(path: Path, size: int, mtime_ns: int) -> frozenset[str]:
    """The modules a file imports; parsed once per version of the file (every scene's
    closure shares most modules)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    return frozenset(found)


def source_closure(module: str, code: Path, leave_out: Iterable[str] = ()) -> list[Path]:
    """The files of `module` and every module of the package `code` it imports,
    transitively, except those in `leave_out` (and what only they import)."""
    seen: dict[str, Path] = {}
    left_out = set(leave_out)
    todo = [module]
    while todo:
        name = todo.pop()
        path = _module_path(name, code)
        if path is None or name in seen or name in left_out:
            continue
        seen[name] = path
        todo.extend(_imports(path))
    return sorted(set(seen.values()))


# ── the stamps ──────────────────────────────────────────────────────────
def scene_inputs(files: Iterable[Path], context: dict, code: Path) -> str:
    """A scene's render inputs: its code closure (and the previous scene's) and context
    (the talk, the quality, its place in the deck, the library versions)."""
    return Stamp().files(sorted(files), code.parent).settings(context).hexdigest()


def beat_context(own_without_beats: str, files: Iterable[Path], context: dict, code: Path) -> str:
    """What all of a scene's slides share in the slide cache: the scene module less its
    beats, the other modules it imports, the context without the talk's details."""
    return Stamp().text(own_without_beats).files(files, code.parent).settings(context).hexdigest()


def slide_key(context: str, beat_source: str, picture: str, extra: str) -> str:
    """A slide's base key: everything that shapes its frames but the talk's details."""
    return Stamp().text(context, beat_source, picture, extra).hexdigest(32)


def details_key(base: str, values: dict[str, str]) -> str:
    """A base key with the values of the talk's details the slide read."""
    return Stamp().text(base).settings(values).hexdigest(32)


def export_inputs(
    heading: str, code: Iterable[Path], assets: str, configs: Iterable[tuple[Path, list[Path]]]
) -> str:
    """The exports' inputs: `heading` (stem, formats, options), the exporter's code, the
    assets' digest, each slide config and the identities of the videos it names."""
    stamp = Stamp().text(heading).files(code, None).text(assets)
    for config, videos in configs:
        stamp.files([config], None).settings([[v.name, identity(v)] for v in videos])
    return stamp.hexdigest()


def build_inputs(settings: dict, code: Iterable[Path], root: Path, assets: str) -> str:
    """A whole build's inputs: its settings, every file of the deck's code, the assets."""
    return Stamp().settings(settings).files(sorted(code), root).text(assets).hexdigest()
