"""The base of every scene: the model, beats (one slide each), the header and snapshots.

A beat is a method decorated with `@beat(notes)`: it opens its slide with
`next_slide(notes=...)` (manim-slides gives notes to the slide that follows the call),
plays its animations, and ends where the next beat starts. Notes are templates
formatted with the scene's model `m`, e.g. "{m.n_heads} query heads".
"""

from __future__ import annotations

import functools
import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass

from manim import LEFT, Animation, ManimColor, Mobject
from manim_slides import Slide

from deck import theme
from deck.beatcache import BeatCache
from deck.components.chrome import section_title, slide_counter
from deck.layout import Item, collect
from deck.model import DEFAULT_PRESET, Model, get_preset
from deck.motion import fade_in, fade_out

PRESET_ENV = "GQA_DECK_PRESET"


def current_model() -> Model:
    return get_preset(os.environ.get(PRESET_ENV, DEFAULT_PRESET))


def beat(notes: str, *, loop: bool = False) -> Callable:
    def decorate(method: Callable) -> Callable:
        @functools.wraps(method)
        def run(self: DeckSlide) -> None:
            self.open_slide(method, self.notes_for(method.__name__, self.model), loop)
            method(self)
            self.close_slide(method.__name__)

        run.beat_notes = notes
        return run

    return decorate


@dataclass(frozen=True)
class Snapshot:
    """The end state of one slide: its beat and the mobjects on screen (header included)."""

    beat: str
    notes: str
    items: tuple[Item, ...]


class DeckSlide(Slide):
    SECTION = ""
    skip_reversing = True  # reversed copies double render time and memory; see bench/

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.model = current_model()
        self.beat_cache: BeatCache | None = None  # set by the renderer; tests leave it off
        self.snapshots: list[Snapshot] = []
        self.side_content: list[Mobject] = []  # what `swap_side` removes next
        self._notes = ""
        self.camera.background_color = ManimColor(theme.BACKGROUND)

    # ── slide structure ────────────────────────────────────────────────
    @classmethod
    def beat_names(cls) -> list[str]:
        names: list[str] = []  # in definition order, subclasses (e.g. test probes) included
        for klass in reversed(cls.__mro__):
            names += [
                n for n, v in vars(klass).items() if hasattr(v, "beat_notes") and n not in names
            ]
        return names

    @classmethod
    def slide_count(cls) -> int:
        return len(cls.beat_names())

    def first_slide_number(self) -> int:
        from deck.scenes import first_slide_number

        return first_slide_number(type(self))

    def setup(self) -> None:
        super().setup()
        self.add_to_canvas(section=section_title(self.SECTION))
        self.add(self.canvas["section"])
        # the previous scene's last frame, so that this scene starts where it ended
        self.carried = self.previous_scene_last_frame()
        if self.carried is not None:
            self.add(self.carried)

    @classmethod
    def last_frame(cls, m: Model) -> Mobject | None:
        """What this scene's last slide ends on (without the header), built afresh."""
        return None

    def previous_scene_last_frame(self) -> Mobject | None:
        from deck.scenes import previous_scene

        before = previous_scene(type(self))
        return None if before is None else before.last_frame(self.model)

    def leave_previous(self) -> list[Animation]:
        """Fade out what the previous scene left on screen (none for the first scene)."""
        return [] if self.carried is None else [fade_out(self.carried)]

    @classmethod
    def notes_for(cls, beat_name: str, model: Model) -> str:
        """A beat's notes for `model`: the template filled in, one line per paragraph
        (PowerPoint shows notes as plain text, so the source's line breaks must go)."""
        template = textwrap.dedent(getattr(cls, beat_name).beat_notes).strip()
        paragraphs = [" ".join(p.split()) for p in template.split("\n\n")]
        return "\n\n".join(paragraphs).format(m=model)

    def open_slide(self, method: Callable, notes: str, loop: bool) -> None:
        """Start the beat's slide: a fresh one, or its earlier video when nothing changed."""
        from deck.scenes import total_slides

        self._notes = notes
        number = self.first_slide_number() + len(self.snapshots)
        counter = slide_counter(number, total_slides())
        if "counter" in self.canvas:
            self.remove(self.canvas["counter"])
        self.add_to_canvas(counter=counter)
        self.add(counter)
        cached = None
        if self.beat_cache is not None:
            key = self.beat_cache.key(method, self.mobjects, f"{notes}|{loop}")
            cached = self.beat_cache.lookup(key)
            self.beat_cache.keys.append((key, cached is not None))
        if cached is None:
            self.next_slide(notes=notes, loop=loop)
        else:
            # the slide is the cached video; the beat still runs, unrendered, so that
            # the scene's state is what the next beat expects
            self.next_slide(notes=notes, loop=loop, src=cached)
            self.next_slide(skip_animations=True)

    def close_slide(self, name: str) -> None:
        self.snapshots.append(Snapshot(name, self._notes, tuple(collect(self.mobjects))))

    # ── helpers for beats ──────────────────────────────────────────────
    def swap_side(self, new: Mobject, *also: Animation, along: Mobject | None = None) -> None:
        """Replace what the side column shows by `new` (and `along`, e.g. its highlights)
        in one animation, together with `also`."""
        leaving = [fade_out(mob) for mob in self.side_content if mob.family_members_with_points()]
        self.play(*leaving, fade_in(new, shift=LEFT * theme.NUDGE), *also, run_time=theme.RUN)
        self.side_content = [new] + ([along] if along is not None else [])

    def clear_content(self) -> list[Mobject]:
        """Everything on screen except the header, for fading out."""
        return list(self.mobjects_without_canvas)
