"""Every place the deck reaches into a library's internals, one module per library.

- manim.py: manim's partial-movie encoder, VMobject's colour arrays, the SVG cache of
  Text, MarkupText and Typst, the flag that skips drawing;
- manim_slides.py: the private slide records of `Slide`, `manim_slides.config` and the
  `present` command (its documented Python API is `Slide` and `ThreeDSlide` only,
  docs/source/reference/api.md; the config models and the command behind
  `manim-slides present` are internals; the exports no longer use its converters), and
  the player's windows (`stage_player`: Info and Player of present/player.py);
- typst.py: the SVG typst draws a formula's rules with (deck/components/formula.py);
- pptx.py: the timing XML of a movie python-pptx adds (deck/export/pptx.py);
- pyside.py: the log level of PySide6's bundled FFmpeg and a filter on Qt's messages
  (the presenter's terminal).

Each module names the library (`LIBRARY`) and the minor version it was checked against
(`CHECKED`, the one pyproject.toml pins), and each reach says what it relies on;
tests/test_compat.py checks each of those assumptions and names the version to re-check
when one no longer holds. When raising a pin, run that test first, then update `CHECKED`.
"""
