"""x264 settings for the partial movie files manim writes.

manim 0.21 hard-codes libx264 at CRF 23 with x264's default preset ("medium") and
offers no option to change it. Slides are flat colours and smooth motion: the
"veryfast" preset encodes them about 25 % faster (bench/RESULTS.md) and the files come
out no larger, at the same CRF. `use_fast_preset()` sets it through deck/compat/manim.py.
"""

from __future__ import annotations

from deck.compat.manim import set_x264_preset

X264_PRESET = "veryfast"


def use_fast_preset() -> None:
    set_x264_preset(X264_PRESET)
