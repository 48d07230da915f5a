"""The deck's scenes in talk order, and a talk's own lineup of them (its cut: which
sections in which order, which slides of each): what the build, presenter, exports and
tests number the slides by."""

from __future__ import annotations

from typing import TYPE_CHECKING

from deck.scenes.attention_weights import AttentionWeights
from deck.scenes.base import DeckSlide, Placement, interleaved
from deck.scenes.beyond import BeyondGQA
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
    from deck.talk.own_slides import OwnSlide

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
    BeyondGQA,
    Closing,
)
SCENE_NAMES = tuple(s.__name__ for s in SCENES)
BY_NAME = {s.__name__: s for s in SCENES}
# a section's name is its module's (deck/talk/lineup.py reads the same modules)
BY_SECTION = {s.__module__.rsplit(".", 1)[1]: s for s in SCENES}
SECTION_OF = {s: name for name, s in BY_SECTION.items()}


def scenes_of(talk: Talk | None = None) -> tuple[type[DeckSlide], ...]:
    """The scenes `talk` shows, in its order (every scene without a talk)."""
    if talk is None:
        return SCENES
    return tuple(BY_SECTION[name] for name, _ in talk.chosen.sections)


def scene_names(talk: Talk | None = None) -> tuple[str, ...]:
    return tuple(s.__name__ for s in scenes_of(talk))


def kept_beats(scene: type[DeckSlide], talk: Talk | None = None) -> tuple[str, ...]:
    """The beats of `scene` that `talk` shows as slides, in the scene's order."""
    if talk is None:
        return tuple(scene.beat_names())
    kept = talk.chosen.beats_of(SECTION_OF[scene])
    if kept is None:
        raise ValueError(f"the talk leaves the section {SECTION_OF[scene]!r} out")
    return kept


def own_after(scene: type[DeckSlide], talk: Talk | None) -> dict[str, tuple[OwnSlide, ...]]:
    """The speaker's own slides in `scene`: beat → those that follow it, in file order."""
    if talk is None:
        return {}
    section = SECTION_OF[scene]
    found: dict[str, tuple[OwnSlide, ...]] = {}
    for own in talk.own_slides:
        where, _, beat = own.after.partition(".")
        if where == section:
            found[beat] = (*found.get(beat, ()), own)
    return found


def slides_of(scene: type[DeckSlide], talk: Talk | None = None) -> tuple[str, ...]:
    """The slides `scene` shows in `talk`, in order: its kept beats, each followed by the
    speaker's own slides placed after it (named `own.<n>`)."""
    return interleaved(kept_beats(scene, talk), own_after(scene, talk))


def slide_number(scene: type[DeckSlide], beat: str, talk: Talk | None = None) -> int | None:
    """The number of the slide that shows `beat` of `scene` in `talk`; None if it is cut."""
    scenes = scenes_of(talk)
    if scene not in scenes or beat not in kept_beats(scene, talk):
        return None
    before = scenes[: scenes.index(scene)]
    return 1 + sum(len(slides_of(s, talk)) for s in before) + slides_of(scene, talk).index(beat)


def total_slides(talk: Talk | None = None) -> int:
    return sum(len(slides_of(s, talk)) for s in scenes_of(talk))


def placement(scene: type[DeckSlide], talk: Talk | None = None) -> Placement:
    """Where `scene` sits in `talk` (the whole deck without one): its section and slide
    numbers, the beats it shows, the notes the talk gives them, the speaker's own slides
    among them, and the picture it starts from. That is the last slide of the scene before
    it in the talk, when the talk shows that scene's last slide or an own slide after it;
    else none (the scene opens on its own, not on a picture never shown)."""
    scenes = scenes_of(talk)
    index = scenes.index(scene)
    before = scenes[index - 1] if index else None
    opens_on = None
    if before is not None:
        last = slides_of(before, talk)[-1]
        if last.startswith("own."):
            opens_on = next(o for o in talk.own_slides if o.name == last)
            before = None
        elif kept_beats(before, talk)[-1:] != tuple(before.beat_names()[-1:]):
            before = None
    beats = kept_beats(scene, talk)
    section = SECTION_OF[scene]
    own = {} if talk is None else dict(talk.notes)
    return Placement(
        section=sum(1 for s in scenes[: index + 1] if s.SECTION),  # the title has none
        first_slide=1 + sum(len(slides_of(s, talk)) for s in scenes[:index]),
        total_slides=total_slides(talk),
        previous=before,
        beats=beats,
        notes=tuple((b, own[f"{section}.{b}"]) for b in beats if f"{section}.{b}" in own),
        own_slides=tuple(own_after(scene, talk).items()),
        opens_on=opens_on,
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
    return cls(talk, placement(scene, talk), **kwargs)


def live_slides(talk: Talk) -> dict[int, Widget]:
    """The slides the HTML deck shows live: deck-wide index (0-based) → widget."""
    found = {}
    for scene in scenes_of(talk):
        where = placement(scene, talk)
        for beat, widget in scene.live_beats(talk, where).items():
            if beat in where.beats:
                found[where.first_slide - 1 + where.slides.index(beat)] = widget
    return found
