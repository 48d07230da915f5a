"""The deck's scenes in talk order: the one list the build, presenter, exports and tests use."""

from __future__ import annotations

from deck.scenes.attention import Attention
from deck.scenes.dataflow import DataFlow
from deck.scenes.heatmap import AttentionHeatmap

SCENES = (DataFlow, Attention, AttentionHeatmap)
SCENE_NAMES = tuple(s.__name__ for s in SCENES)


def first_slide_number(scene: type) -> int:
    """1-based number, in the whole deck, of `scene`'s first slide."""
    index = SCENES.index(registered(scene))
    return 1 + sum(s.slide_count() for s in SCENES[:index])


def registered(scene: type) -> type:
    """The deck's scene class behind `scene` (which may be a subclass, e.g. in tests)."""
    return next(c for c in scene.__mro__ if c in SCENES)


def previous_scene(scene: type) -> type | None:
    index = SCENES.index(registered(scene))
    return SCENES[index - 1] if index else None


def total_slides() -> int:
    return sum(s.slide_count() for s in SCENES)
