"""The deck's font file, found through fontconfig, for a page that inlines it.

The slides are drawn by Pango with the system's font (deck/theme.py's FONT); an HTML
widget that writes text must use the same file, inlined, so that the page needs no
network and looks the same on a machine without that font.
"""

from __future__ import annotations

import contextlib
import functools
import io
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

from deck.failure import ExportError
from deck.project import THIS_PROJECT
from deck.system import atomic, digest

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


# What a live slide's text can hold: Latin with its accents, punctuation, arrows and the
# mathematical operators (×, −, ≈, †, …). A character outside (a model's name in another
# script) is drawn by the browser's own sans-serif.
SUBSET_CHARACTERS = (
    *range(0x20, 0x7F),
    *range(0xA0, 0x250),
    *range(0x2000, 0x2070),
    *range(0x2190, 0x2300),
)
# OpenType features kept: kerning, ligatures and the tabular figures the calculator's
# numbers are set in (`font-variant-numeric`). Measured on Inter 4: 259 KB → 61 KB.
SUBSET_FEATURES = ("kern", "liga", "tnum")
# Subsetting takes 0.3 s (0.8 s with fontTools' import): made once, kept by what
# determines it, each file named with its content's digest so that a damaged one is
# seen and made again.
SUBSET_CACHE = THIS_PROJECT.root / "build" / "fonts"
DIGEST = 16


def subset(path: Path, cache: Path = SUBSET_CACHE) -> bytes:
    """The font file at `path` with the glyphs of SUBSET_CHARACTERS only."""
    data = path.read_bytes()
    key = digest.of_bytes(
        b"\0".join(
            (
                data,
                repr((SUBSET_CHARACTERS, SUBSET_FEATURES)).encode(),
                metadata.version("fonttools").encode(),
            )
        ),
        DIGEST,
    )
    for kept in sorted(cache.glob(f"{key}.*{path.suffix}")):
        with contextlib.suppress(OSError):
            made = kept.read_bytes()
            if kept.name == f"{key}.{digest.of_bytes(made, DIGEST)}{path.suffix}":
                return made
        kept.unlink(missing_ok=True)  # damaged: made again below
    made = _subset(data)
    with contextlib.suppress(OSError):  # a read-only build folder: made each time
        cache.mkdir(parents=True, exist_ok=True)
        dest = cache / f"{key}.{digest.of_bytes(made, DIGEST)}{path.suffix}"
        with atomic.replacing(dest) as temp:
            temp.write_bytes(made)
    return made


def _subset(data: bytes) -> bytes:
    import logging

    from fontTools import subset as fonttools_subset

    # fontTools logs each table it subsets at INFO, and manim's handler on the root logger
    # prints INFO: 118 KB of a build's output, which filled a reader's pipe
    logging.getLogger("fontTools").setLevel(logging.WARNING)

    options = fonttools_subset.Options()
    options.layout_features = list(SUBSET_FEATURES)
    font = fonttools_subset.load_font(io.BytesIO(data), options)
    subsetter = fonttools_subset.Subsetter(options)
    subsetter.populate(unicodes=SUBSET_CHARACTERS)
    subsetter.subset(font)
    out = io.BytesIO()
    fonttools_subset.save_font(font, out, options)
    return out.getvalue()
