"""Wrapping text to a width, by the font's own advance widths (no text is laid out).

Building a `Text` to measure each candidate line costs ~35 ms; the font's metrics give
the same width within 1 % (slightly wider: advances include the side bearings that a
`Text`'s ink box leaves out), so a wrapped line never comes out wider than measured.
"""

from __future__ import annotations

import functools
import subprocess

from PIL import ImageFont

from deck import theme

METRICS_SIZE = 1000  # the font is read at this pixel size; widths scale linearly


@functools.cache
def _font() -> ImageFont.FreeTypeFont:
    found = subprocess.run(
        ["fc-match", f"{theme.FONT}:style=Regular", "--format=%{file}"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    return ImageFont.truetype(found, METRICS_SIZE)


def text_width(content: str, size: float) -> float:
    """The width, in frame units, of `content` set in the deck's font at `size`."""
    return _font().getlength(content) / METRICS_SIZE * theme.em(size)


def wrap(paragraph: str, size: float, width: float) -> list[str]:
    """`paragraph` broken at spaces into lines no wider than `width`; a no-break space
    (\u00a0) keeps its neighbours together. The last line never holds a single word of
    a longer paragraph (an orphan): the line before it gives up its last word when that
    fits. A single word wider than `width` keeps a line of its own: the layout tests
    then report it."""
    lines: list[str] = []
    for word in filter(None, paragraph.split(" ")):
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and text_width(candidate, size) <= width:
            lines[-1] = candidate
        else:
            lines.append(word)
    if len(lines) > 1 and words(lines[-1]) == 1 and " " in lines[-2]:
        rest, moved = lines[-2].rsplit(" ", 1)
        if text_width(f"{moved} {lines[-1]}", size) <= width:
            lines[-2:] = [rest, f"{moved} {lines[-1]}"]
    return lines


def words(line: str) -> int:
    """The words of `line`, those joined by no-break spaces counted one by one."""
    return len(line.split())
