"""`deck doctor`: is every system dependency and asset of the deck in place?

Each check returns a `Finding` with a one-line fix. `main()` prints them all;
`require(names)` lets a command stop early with that one line instead of a traceback.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from deck.failure import MissingDependency
from deck.theme import FONT

SETUP = "bash scripts/setup.sh"

FONT_FAMILY = FONT  # the deck's one font family (deck/theme.py)
CHROMIUM = Path("/usr/bin/chromium")

# Shared libraries the Qt presenter loads (QtMultimedia, xcb platform) → Debian package.
QT_LIBS = {
    "libGL.so.1": "libgl1",
    "libEGL.so.1": "libegl1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libpulse.so.0": "libpulse0",
    "libdrm.so.2": "libdrm2",
    "libXrandr.so.2": "libxrandr2",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-glx.so.0": "libxcb-glx0",
}


@dataclass(frozen=True)
class Finding:
    name: str
    ok: bool
    fix: str  # one line: the command that repairs it
    required: bool = True  # False: only needed for tests (a warning)
    detail: str = ""  # what exactly is missing


def apt(*packages: str) -> str:
    return "apt-get install --no-install-recommends " + " ".join(packages)


def _can_import(module: str) -> str:
    """'' when `module` imports in a fresh interpreter, else the last line of its error.

    A subprocess keeps Qt's import noise and any crash out of the caller.
    """
    try:
        proc = subprocess.run(
            [sys.executable, "-c", f"import {module}"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if proc.returncode == 0:
        return ""
    lines = proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"]
    return lines[-1]


def check_pango() -> Finding:
    missing = [lib for lib in ("pangocairo-1.0", "cairo") if not ctypes.util.find_library(lib)]
    return Finding(
        "pango",
        not missing,
        apt("libcairo2-dev", "libpango1.0-dev"),
        detail=", ".join(f"lib{m}" for m in missing),
    )


def check_manimpango() -> Finding:
    errors = [e for e in (_can_import("manimpango"), _can_import("cairo")) if e]
    return Finding("manimpango", not errors, SETUP, detail="; ".join(errors))


def check_qt() -> Finding:
    missing = []
    for soname, package in QT_LIBS.items():
        try:
            ctypes.CDLL(soname)
        except OSError:
            missing.append(package)
    if missing:
        return Finding("qt", False, apt(*missing), detail="missing shared libraries")
    error = _can_import("PySide6.QtMultimedia")
    return Finding("qt", not error, SETUP, detail=error)


def check_font() -> Finding:
    fix = apt("fonts-inter")
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return Finding("font", False, apt("fontconfig", "fonts-inter"), detail="no fc-list")
    out = subprocess.run(
        [fc_list, f":family={FONT_FAMILY}", "family"], capture_output=True, text=True
    ).stdout
    found = any(FONT_FAMILY in line.split(",") for line in out.splitlines())
    return Finding("font", found, fix, detail="" if found else f'no font family "{FONT_FAMILY}"')


# The reveal.js checks import the exporter's declaration when they run, not with this
# module: `deck present` needs the doctor but none of the exporter's imports.
def reveal_version() -> str | None:
    """The installed reveal.js version (node_modules), or None."""
    from deck.export import reveal

    try:
        return json.loads((reveal.REVEAL_DIR / "package.json").read_text())["version"]
    except (OSError, ValueError, KeyError):
        return None


def check_revealjs() -> Finding:
    """The reveal.js files the HTML export declares it inlines (deck/export/reveal.py)."""
    from deck.export import reveal

    missing = reveal.missing_assets()
    return Finding("revealjs", not missing, SETUP, detail=", ".join(missing))


def check_handout_font() -> Finding:
    """The TrueType files the PDFs declare they embed (deck/export/pdf_base.py)."""
    from deck.export import pdf_base

    missing = pdf_base.missing_fonts()
    return Finding(
        "handout-font",
        not missing,
        apt(*(pdf_base.missing_packages() or sorted(set(pdf_base.PACKAGES.values())))),
        detail=", ".join(missing),
    )


def check_chromium() -> Finding:
    found = CHROMIUM.is_file()
    return Finding(
        "chromium",
        found,
        SETUP + " --with-browser",
        required=False,
        detail="" if found else f"no {CHROMIUM}; only the tests need it",
    )


CHECKS: dict[str, Callable[[], Finding]] = {
    "pango": check_pango,
    "manimpango": check_manimpango,
    "qt": check_qt,
    "font": check_font,
    "revealjs": check_revealjs,
    "handout-font": check_handout_font,
    "chromium": check_chromium,
}


def check(names: Iterable[str] | None = None) -> list[Finding]:
    """Run the named checks (all when None), in the order of CHECKS."""
    wanted = list(CHECKS) if names is None else list(names)
    unknown = sorted(set(wanted) - set(CHECKS))
    if unknown:
        raise ValueError(f"unknown check(s) {', '.join(unknown)}; known: {', '.join(CHECKS)}")
    return [CHECKS[name]() for name in wanted]


def require(names: Iterable[str]) -> None:
    """Raise MissingDependency (message: the fixes, one line) unless all named checks pass."""
    failed = [f for f in check(names) if not f.ok]
    if failed:
        raise MissingDependency("missing " + "; ".join(f"{f.name}: {f.fix}" for f in failed))


def format_finding(f: Finding) -> str:
    mark = "✓" if f.ok else ("✗" if f.required else "!")
    line = f"{mark} {f.name}"
    if not f.ok:
        line += f" — {f.fix}"
        if f.detail:
            line += f"  ({f.detail})"
    return line


def main() -> int:
    findings = check()
    for f in findings:
        print(format_finding(f))
    return 1 if any(f.required and not f.ok for f in findings) else 0


if __name__ == "__main__":
    raise SystemExit(main())
