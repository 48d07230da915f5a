"""The deck's font file, found through fontconfig, for a page that inlines it.

The slides are drawn by Pango with the system's font (deck/theme.py's FONT); an HTML
widget that writes text must use the same file, inlined, so that the page needs no
network and looks the same on a machine without that font.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

from deck.failure import ExportError

# fontconfig's format names → the CSS @font-face format() hint and the MIME type.
FORMATS = {
    "CFF": ("opentype", "font/otf"),
    "TrueType": ("truetype", "font/ttf"),
}


@functools.cache
def font_file(family: str) -> tuple[Path, str, str]:
    """The regular face of `family`: its file, its CSS format() hint and its MIME type."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        raise ExportError("fc-match is missing: run `bash scripts/setup.sh` (fontconfig)")
    found = subprocess.run(
        [fc_match, "-f", "%{family}\t%{fontformat}\t%{file}", f"{family}:style=Regular"],
        capture_output=True,
        text=True,
        check=False,
    )
    families, kind, path = [*found.stdout.split("\t"), "", "", ""][:3]
    if family not in families.split(",") or not Path(path).is_file():
        raise ExportError(f'font "{family}" is not installed: run `bash scripts/setup.sh`')
    if kind not in FORMATS:
        raise ExportError(f"{path} is a {kind or 'unknown'} font: the page inlines OTF or TTF")
    return (Path(path), *FORMATS[kind])
