"""Fades that do not copy what they fade.

manim's FadeIn/FadeOut deep-copy the mobject (every glyph of every text) twice when
they begin, and any Animation copies it once as its starting point; on the deck's slides
that costs more than rendering the frames (profiled: a third of a low-quality render).
`Fade` keeps only numpy copies of the points and opacities and writes the in-between
states straight into the mobject (through deck/compat/manim.py, which knows where manim keeps
them).
"""

from __future__ import annotations

import numpy as np
from manim import ORIGIN, Animation, Mobject

from deck.compat.manim import part_state, write_part


class Fade(Animation):
    """Fade in (from `scale` times its size, `shift` away) or out (drifting by `shift`)."""

    def __init__(
        self, mobject: Mobject, *, entering: bool, shift=ORIGIN, scale: float = 1.0, **kwargs
    ):
        self.entering = entering
        self.drift = np.asarray(shift, dtype=float)
        self.start_scale = scale
        super().__init__(mobject, introducer=entering, remover=not entering, **kwargs)

    def begin(self) -> None:
        self.parts = self.mobject.family_members_with_points()
        self.states = [part_state(part) for part in self.parts]
        self.center = self.mobject.get_center()
        super().begin()

    def create_starting_mobject(self) -> Mobject:
        """Nothing: `Animation.begin` would copy the whole mobject here for the default
        interpolation, which a fade does not use (its start is in `self.states`)."""
        return Mobject()

    def interpolate_mobject(self, alpha: float) -> None:
        t = self.rate_func(alpha)
        visible = t if self.entering else 1 - t
        if self.entering:
            scale = self.start_scale + (1 - self.start_scale) * t
            offset = -self.drift * (1 - t)
        else:
            scale, offset = 1.0, self.drift * t
        for part, (points, alphas) in zip(self.parts, self.states, strict=True):
            write_part(part, self.center + (points - self.center) * scale + offset, alphas, visible)

    def restore(self) -> None:
        for part, (points, alphas) in zip(self.parts, self.states, strict=True):
            write_part(part, points.copy(), alphas)

    def finish(self) -> None:
        super().finish()
        if self.entering:
            self.restore()  # exactly as built, not as interpolated

    def clean_up_from_scene(self, scene) -> None:
        super().clean_up_from_scene(scene)
        if not self.entering:
            self.restore()  # removed from the scene, but intact if shown again


def fade_in(mobject: Mobject, shift=ORIGIN, scale: float = 1.0, **kwargs) -> Fade:
    return Fade(mobject, entering=True, shift=shift, scale=scale, **kwargs)


def fade_out(mobject: Mobject, shift=ORIGIN, **kwargs) -> Fade:
    return Fade(mobject, entering=False, shift=shift, **kwargs)
