"""The deck's scenes in talk order: the one list the build, presenter, exports and tests use."""

from __future__ import annotations

from typing import TYPE_CHECKING

from deck.scenes.attention_weights import AttentionWeights
from deck.scenes.base import DeckSlide, Placement
from deck.scenes.closing import Closing
from deck.scenes.conversion import Conversion
from deck.scenes.dataflow import DataFlow
from deck.scenes.decoding import Decoding
from deck.scenes.evidence import Evidence
from deck.scenes.family import Family
from deck.scenes.kv_calculator import KVCalculator
from deck.scenes.opening import Opening
from deck.scenes.scaled_dot_product import ScaledDotProduct
from deck.scenes.why_gqa import WhyGQA
from deck.talk import Talk

if TYPE_CHECKING:
    from deck.content.widgets import Widget

SCENES: tuple[type[DeckSlide], ...] = (
    Opening,
    WhyGQA,
    KVCalculator,
    Family,
    DataFlow,
    Decoding,
    ScaledDotProduct,
    AttentionWeights,
    Conversion,
    Evidence,
    Closing,
)
SCENE_NAMES = tuple(s.__name__ for s in SCENES)
BY_NAME = {s.__name__: s for s in SCENES}


def total_slides() -> int:
    return sum(s.slide_count() for s in SCENES)


def placement(scene: type[DeckSlide]) -> Placement:
    """Where `scene` sits in the deck: its section and slide numbers, the scene before it."""
    index = SCENES.index(scene)
    return Placement(
        section=sum(1 for s in SCENES[: index + 1] if s.SECTION),  # the title has none
        first_slide=1 + sum(s.slide_count() for s in SCENES[:index]),
        total_slides=total_slides(),
        previous=SCENES[index - 1] if index else None,
    )


def make_scene(
    scene: type[DeckSlide],
    talk: Talk,
    *mixins: type,
    attributes: dict | None = None,
    **kwargs,
) -> DeckSlide:
    """An instance of `scene` for `talk`, with `mixins` (e.g. the slide cache, layout
    records) placed before it in the method order, `attributes` set on the mixed class
    and `kwargs` passed to the constructor (e.g. manim-slides' `output_folder`)."""
    cls = type(scene.__name__, (*mixins, scene), attributes or {}) if mixins else scene
    return cls(talk, placement(scene), **kwargs)


def live_slides(talk: Talk) -> dict[int, Widget]:
    """The slides the HTML deck shows live: deck-wide index (0-based) → widget."""
    found = {}
    for scene in SCENES:
        where = placement(scene)
        for beat, widget in scene.live_beats(talk, where).items():
            found[where.first_slide - 1 + scene.beat_names().index(beat)] = widget
    return found
