"""The base of every scene: the talk, beats (one slide each), the header and the hand-over.

A beat is a method decorated with `@beat(notes)`: it opens its slide with
`next_slide(notes=...)` (manim-slides gives notes to the slide that follows the call),
plays its animations, and ends where the next beat starts. Notes are templates
formatted with the scene's model `m`, e.g. "{m.n_heads} query heads", and the fields
of `note_fields` (published figures).

A scene is told everything from outside: the talk (model) and its `Placement` in the
deck (slide numbers, the scene before it). Hooks (`previous_picture`, `begin_slide`,
`end_slide`) let the renderer (slide cache) and the tests (layout records, frames) add
behaviour by mixing in a class, so the base knows nothing of either.

Colours: a scene's own code (`setup`, `construct` and the beats it calls, `last_frame`)
runs with its talk's palette active (`theme.use`), so every `theme.X` it reads comes
from the talk's theme, and the caller's palette is back when it returns.
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from manim import DOWN, LEFT, Animation, ManimColor, Mobject, config
from manim_slides import Slide

from deck import theme
from deck.components.chrome import section_title, slide_counter
from deck.components.own_slide import own_slide
from deck.content.model import Model
from deck.content.sources import Reference
from deck.scenes.look import picture_hash
from deck.scenes.motion import fade_in, fade_out
from deck.talk import Talk, own_slides
from deck.talk.own_slides import OwnSlide

if TYPE_CHECKING:
    from deck.content.widgets import Widget


def beat(notes: str, *, loop: bool = False, cites: tuple[Reference, ...] = ()) -> Callable:
    """A slide: `notes` the speaker says over it, `cites` the works it names (on screen or
    in its notes; tests/scenes/test_references.py holds each slide's to what it names),
    which the references slides list when the talk shows it."""

    def decorate(method: Callable) -> Callable:
        @functools.wraps(method)
        def run(self: DeckSlide) -> None:
            if method.__name__ not in self.placement.beats:
                self.pass_over(method)
                return
            own = dict(self.placement.notes).get(method.__name__)
            notes = self.notes_for(method.__name__, self.model, own, self.talk)
            fading = self.back_to_last_shown()
            self.current_beat = method.__name__
            self.open_slide(method, notes, loop)
            if fading:
                self.play(*fading, run_time=theme.RUN_FAST)
            method(self)
            self.settle()
            self.end_slide(method.__name__)
            self.slides_done += 1
            for own in self.placement.own_after(method.__name__):
                self.show_own_slide(own)

        run.beat_notes = notes
        run.beat_cites = tuple(cites)
        return run

    return decorate


def _in_talk_palette(method: Callable) -> Callable:
    @functools.wraps(method)
    def run(self: DeckSlide, *args, **kwargs):
        with theme.use(self.talk.theme):
            return method(self, *args, **kwargs)

    return run


def _built_in_talk_palette(build: Callable) -> classmethod:
    """A class method that builds for `talk` (`last_frame`, `live_beats`), run in its palette."""

    @functools.wraps(build)
    def run(cls: type[DeckSlide], talk: Talk, *args, **kwargs):
        with theme.use(talk.theme):
            return build(cls, talk, *args, **kwargs)

    return classmethod(run)


def one_line_paragraphs(notes: str) -> str:
    """Notes one line per paragraph (PowerPoint shows notes as plain text, so the source's
    line breaks must go)."""
    paragraphs = [" ".join(p.split()) for p in textwrap.dedent(notes).strip().split("\n\n")]
    return "\n\n".join(paragraphs)


def interleaved(beats: tuple[str, ...], after: dict[str, tuple[OwnSlide, ...]]) -> tuple[str, ...]:
    """The slide names of `beats`, each followed by the own slides `after` puts after it."""
    return tuple(name for b in beats for name in (b, *(own.name for own in after.get(b, ()))))


@dataclass(frozen=True)
class Placement:
    """Where a scene sits in the deck."""

    section: int  # 1-based section number
    first_slide: int  # deck-wide number of its first slide
    total_slides: int
    previous: type[DeckSlide] | None  # the scene it follows on screen
    beats: tuple[str, ...]  # the beats the talk shows as slides (a cut may leave some out)
    notes: tuple[tuple[str, str], ...] = ()  # (beat, the talk's own notes template)
    own_slides: tuple[tuple[str, tuple[OwnSlide, ...]], ...] = ()  # (beat, those after it)
    opens_on: OwnSlide | None = None  # the own slide the scene before it ends on

    @property
    def slides(self) -> tuple[str, ...]:
        """The scene's slides in order: its beats, each followed by its own slides."""
        return interleaved(self.beats, dict(self.own_slides))

    def own_after(self, beat: str) -> tuple[OwnSlide, ...]:
        return dict(self.own_slides).get(beat, ())


def counter_picture(number: int, total: int) -> Mobject:
    """The counter (`12 / 52`) exactly as a slide draws it: what a renumbered video's corner
    is redrawn with."""
    return slide_counter(number, total)


class DeckSlide(Slide):
    SECTION = ""
    # The works this scene's slides and notes use (name, cite or show a figure of), in the
    # order they come: its beats' `cites`, gathered when the class is made.
    CITES: tuple[Reference, ...] = ()
    skip_reversing = True  # reversed copies double render time and memory; see bench/

    def __init__(self, talk: Talk, placement: Placement, **kwargs):
        super().__init__(**kwargs)
        self.talk = talk
        self.model = talk.model
        self.placement = placement
        self.slides_done = 0
        self.current_notes = ""
        self.current_beat = ""  # the slide being played: its beat's or own slide's name
        self.passing_over = False  # playing a beat the talk leaves out
        self.side_content: list[Mobject] = []  # what `swap_side` removes next
        self.last_shown: list[Mobject] | None = None  # before left-out beats: what was seen
        # what a slide shows that is neither its code nor its starting picture (an own
        # slide's title, points and picture), for the slide cache's key
        self.slide_content = ""
        self.camera.background_color = ManimColor(theme.palette(talk.theme).BACKGROUND)

    def __init_subclass__(cls, **kwargs) -> None:
        # every scene's own setup, construct, last_frame and live widgets draw in its
        # talk's palette, without each scene having to ask for it
        super().__init_subclass__(**kwargs)
        cls.CITES = tuple(dict.fromkeys(r for b in cls.beat_names() for r in cls.cites_of(b)))
        for name in ("setup", "construct"):
            if name in vars(cls):
                setattr(cls, name, _in_talk_palette(vars(cls)[name]))
        for name in ("last_frame", "live_beats"):
            if name in vars(cls):
                setattr(cls, name, _built_in_talk_palette(vars(cls)[name].__func__))

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
    def cites_of(cls, beat_name: str, talk: Talk | None = None) -> tuple[Reference, ...]:
        """The works the slide of `beat_name` names (in `talk`'s cut, if given)."""
        return getattr(cls, beat_name).beat_cites

    @classmethod
    def slide_count(cls) -> int:
        return len(cls.beat_names())

    @_in_talk_palette
    def setup(self) -> None:
        super().setup()
        if self.SECTION:
            header = section_title(f"{self.placement.section} · {self.SECTION}")
            self.add_to_canvas(section=header)
            self.add(header)
        # the previous scene's last frame, so that this scene starts where it ended
        before, own = self.placement.previous, self.placement.opens_on
        self.carried = None if before is None else self.previous_picture(before)
        if own is not None:  # the speaker's own slide ended the scene before
            self.carried = own_slide(own_slides.filled(own, self.model))
        if self.carried is not None:
            self.add(self.carried)

    @classmethod
    def last_frame(cls, talk: Talk) -> Mobject | None:
        """What this scene's last slide ends on (without the header), built afresh."""
        return None

    @classmethod
    def live_beats(cls, talk: Talk, placement: Placement) -> dict[str, Widget]:
        """Beats the HTML deck shows live: beat name → the widget shown over its video."""
        return {}

    def leave_previous(self) -> list[Animation]:
        """Fade out what the previous scene left on screen (none for the first scene)."""
        return [] if self.carried is None else [fade_out(self.carried)]

    def enter(self, *parts: Mobject) -> None:
        """Open the scene: what the previous one left fades out as `parts` (e.g. the first
        slide's title) drift down into place."""
        arriving = [fade_in(part, shift=DOWN * theme.NUDGE) for part in parts]
        self.play(*self.leave_previous(), *arriving, run_time=theme.RUN_FAST)

    @classmethod
    def note_fields(cls, model: Model) -> dict[str, object]:
        """Template fields beside `m` that this scene's notes use: published figures from
        deck.content.sources, figures derived from the model (a chosen batch), so that notes never
        type a figure in."""
        return {}

    @classmethod
    def talk_fields(cls, talk: Talk) -> dict[str, object]:
        """Template fields that depend on the talk's cut (e.g. how many works it cites)."""
        return {}

    @classmethod
    def notes_for(
        cls, beat_name: str, model: Model, own: str | None = None, talk: Talk | None = None
    ) -> str:
        """A beat's notes for `model` (in `talk`'s cut, if given): the template (the
        talk's `own`, else the beat's) filled in. Own notes have the model's fields only
        (deck/talk/file.py checks them)."""
        template = getattr(cls, beat_name).beat_notes if own is None else own
        fields = {} if own is not None else cls.note_fields(model)
        if own is None and talk is not None:
            fields |= cls.talk_fields(talk)
        return one_line_paragraphs(template).format(m=model, **fields)

    def show_own_slide(self, own: OwnSlide) -> None:
        """One of the speaker's own slides, between two of the scene's: it cross-fades in
        from what was shown last; then the scene's state is back, unseen, and the next
        slide cross-fades from the own slide to it (as after a left-out beat)."""
        own = own_slides.filled(own, self.model)  # a talk made in code has templates
        state = self.mobjects_without_canvas
        shown, self.last_shown = self.last_shown, None
        leaving = state if shown is None else shown
        self.remove(*state)
        self.add(*leaving)
        picture = own_slide(own)
        self.slide_content = repr(own_slides.own_identity(own))
        self.current_beat = own.name
        self.open_slide(self.own_slide_beat, one_line_paragraphs(own.notes), loop=False)
        self.play(*[fade_out(mob) for mob in leaving], fade_in(picture), run_time=theme.RUN)
        self.settle()
        self.end_slide(own.name)
        self.slide_content = ""
        self.slides_done += 1
        self.remove(picture)
        self.add(*state)
        self.last_shown = [picture]

    def own_slide_beat(self) -> None:
        """The method the slide cache keys an own slide by: with the picture on screen when
        it starts and `slide_content` (the own slide's title, points and picture)."""

    def open_slide(self, method: Callable, notes: str, loop: bool) -> None:
        self.current_notes = notes
        where = self.placement
        self.counter_shown = (where.first_slide + self.slides_done, where.total_slides)
        counter = counter_picture(*self.counter_shown)
        if "counter" in self.canvas:
            self.remove(self.canvas["counter"])
        self.add_to_canvas(counter=counter)
        self.add(counter)
        self.begin_slide(method, notes, loop)

    def settle(self) -> None:
        """End the slide's video on its final state. manim draws a play's frames at
        t = 0, 1/fps, … before its run time ends, never at the end itself, so a slide's
        last frame would show its last fade at (n − 1)/n: what faded out still faintly
        there in every export's last frame (manim's smooth rate at 15 fps: 2.8 % of the
        opacity after a 0.4 s fade, 0.9 % after 0.8 s). One frame of the settled state
        closes the slide."""
        self.wait(1 / config.frame_rate)

    # ── hooks for mixins (renderer, tests) ─────────────────────────────
    def previous_picture(self, before: type[DeckSlide]) -> Mobject | None:
        """The last frame of the scene `before`, which this one starts on."""
        return before.last_frame(self.talk)

    def begin_slide(self, method: Callable, notes: str, loop: bool) -> None:
        """Start the beat's slide; the header is already on screen."""
        self.next_slide(notes=notes, loop=loop)

    def end_slide(self, name: str) -> None:
        """The beat `name` has played; the screen shows its last frame."""

    def pass_over(self, method: Callable) -> None:
        """A beat the talk leaves out: it runs, so that the scene's state is what the next
        beat builds on, with its animations skipped and no slide (manim-slides drops a
        slide that skips its animations); the next slide starts where it ended."""
        if self.last_shown is None:  # the picture the audience saw last
            self.last_shown = [mob.copy() for mob in self.mobjects_without_canvas]
        self.next_slide(skip_animations=True)
        self.passing_over = True
        try:
            method(self)
        finally:
            self.passing_over = False

    def back_to_last_shown(self) -> list[Animation]:
        """After left-out beats: the picture last shown goes back on screen over what they
        left, and the cross-fade from the one to the other that opens the next slide (what
        both show alike stays). Its cache key then hashes both pictures."""
        shown, self.last_shown = self.last_shown, None
        if shown is None:
            return []
        now = self.mobjects_without_canvas
        alike = {picture_hash([mob]) for mob in shown} & {picture_hash([mob]) for mob in now}
        leaving = [mob for mob in shown if picture_hash([mob]) not in alike]
        arriving = [mob for mob in now if picture_hash([mob]) not in alike]
        self.add(*leaving)
        return [fade_out(mob) for mob in leaving] + [fade_in(mob) for mob in arriving]

    # ── helpers for beats ──────────────────────────────────────────────
    def swap_side(self, new: Mobject, *also: Animation, along: Mobject | None = None) -> None:
        """Replace what the side column shows by `new` (and `along`, e.g. its highlights)
        in one animation, together with `also`."""
        leaving = [fade_out(mob) for mob in self.side_content if mob.family_members_with_points()]
        self.play(*leaving, fade_in(new, shift=LEFT * theme.NUDGE), *also, run_time=theme.RUN)
        self.side_content = [new] + ([along] if along is not None else [])

    def leave_content(self) -> list[Animation]:
        """Fade out everything on screen except the header: played together with what
        arrives, a cross-fade (the screen is never empty mid-slide)."""
        return [fade_out(mob) for mob in self.mobjects_without_canvas]
