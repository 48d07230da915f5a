"""Which characters a line the user writes (a talk's title, byline, a model's name) may hold.

Every such line reaches a slide (drawn with the deck's font through Pango), the HTML page,
the PDFs and the PowerPoint XML. A character that one of them cannot carry is refused when
the line is read, with its code point and name, rather than after minutes of rendering:

- control characters (C0, DEL, C1): XML 1.0 cannot hold most of them (python-pptx refuses
  ESC, BEL, VT, FF), a NUL ends Pango's string early, CR starts a second line;
- bidirectional controls (U+202A–U+202E, U+2066–U+2069, U+200E/U+200F, U+061C): they
  reorder what follows, so "evil" can be shown as "live" (Trojan Source, CVE-2021-42574);
- non-characters (U+FFFE, U+FFFF, U+FDD0–U+FDEF, …) and lone surrogates: not text;
- anything the slides' font has no glyph for (emoji, Hebrew, CJK with Inter): it would be
  drawn as an empty box. The font's coverage is fontconfig's (`fc-query`), read once.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import unicodedata

BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def _name(char: str) -> str:
    name = unicodedata.name(char, "")  # control characters have none
    return f"U+{ord(char):04X}" + (f" {name}" if name else "")


def _is_noncharacter(code: int) -> bool:
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


@functools.cache
def font_coverage(family: str) -> frozenset[range] | None:
    """The code point ranges `family` has glyphs for, or None when fontconfig cannot tell
    (then no line is refused for its font: `deck doctor` reports the missing font)."""
    if shutil.which("fc-match") is None:
        return None
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{family}\n%{charset}", f"{family}:style=Regular"],
            capture_output=True,
            text=True,
            check=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    names, _, charset = found.partition("\n")
    if family.lower() not in (n.strip().lower() for n in names.split(",")):
        return None  # fontconfig substituted another family: the font is missing
    ranges = []
    for part in charset.split():
        first, _, last = part.partition("-")
        ranges.append(range(int(first, 16), int(last or first, 16) + 1))
    return frozenset(ranges)


def _drawable(char: str, fonts: tuple[str, ...]) -> bool:
    if char.isspace():
        return True
    for font in fonts:
        coverage = font_coverage(font)
        if coverage is None or any(ord(char) in r for r in coverage):
            return True
    return False


def refusal(line: str, font: str | tuple[str, ...]) -> str | None:
    """Why `line` cannot be set in the family `font`, or in any of the families `font`
    names (one clause naming the first bad character), or None."""
    fonts = (font,) if isinstance(font, str) else font
    for char in line:
        code = ord(char)
        category = unicodedata.category(char)
        if category == "Cc":
            return f"holds the control character {_name(char)}"
        if char in BIDI_CONTROLS:
            return f"holds the bidirectional control {_name(char)}, which reorders the text"
        if category == "Cs" or _is_noncharacter(code):
            return f"holds {_name(char)}, which is not a character"
        if not _drawable(char, fonts):
            return f"holds {_name(char)}, which {_fonts_named(fonts)} cannot draw"
    return None


def _fonts_named(fonts: tuple[str, ...]) -> str:
    if len(fonts) == 1:
        return f"the slides' font ({fonts[0]})"
    return f"the handout's fonts ({', '.join(fonts)})"
