"""Layout roles: what the layout tests may and may not let overlap.

- TEXT: words, numbers and formulas; never overlap each other or a LINE.
- BOX: a node's outline; may contain TEXT, never overlaps another BOX.
- LINE: a connector; never crosses TEXT.
- DECOR: highlights, cells, legends' swatches; a TEXT it touches must lie wholly inside it.
- HEAD: one drawn head or cache cell (the model's shape, a shape each); never under the
  minimum size nor touching another (tests/scenes/test_big_models.py); a TEXT never
  overlaps it.
- OVERLAY: a mark drawn over part of a formula; free to overlap.
- PICTURE: a picture of the speaker's (an own slide's image); nothing overlaps it.
"""

from __future__ import annotations

from typing import TypeVar

from manim import Mobject

TEXT = "text"
BOX = "box"
LINE = "line"
DECOR = "decor"
OVERLAY = "overlay"
HEAD = "head"
PICTURE = "picture"

M = TypeVar("M", bound=Mobject)


def tag(mob: M, role: str) -> M:
    mob.role = role
    return mob


def role_of(mob: Mobject) -> str | None:
    return getattr(mob, "role", None)
