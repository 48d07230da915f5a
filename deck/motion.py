"""Fades that do not copy what they fade.

manim's FadeIn/FadeOut deep-copy the mobject (every glyph of every text) twice when
they begin; on the deck's slides that costs more than rendering the frames (profiled:
a third of a low-quality render). `Fade` keeps only numpy copies of the points and
opacities and writes the in-between states straight into the mobject.
"""

from __future__ import annotations

import numpy as np
from manim import ORIGIN, Animation, Mobject

OPACITY_ARRAYS = ("fill_rgbas", "stroke_rgbas", "background_stroke_rgbas")


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
        self.points = [part.points.copy() for part in self.parts]
        self.alphas = [
            {
                name: getattr(part, name)[:, 3].copy()
                for name in OPACITY_ARRAYS
                if getattr(part, name, None) is not None and len(getattr(part, name))
            }
            for part in self.parts
        ]
        self.center = self.mobject.get_center()
        super().begin()

    def interpolate_mobject(self, alpha: float) -> None:
        t = self.rate_func(alpha)
        visible = t if self.entering else 1 - t
        if self.entering:
            scale = self.start_scale + (1 - self.start_scale) * t
            offset = -self.drift * (1 - t)
        else:
            scale, offset = 1.0, self.drift * t
        for part, points, alphas in zip(self.parts, self.points, self.alphas, strict=True):
            part.points = self.center + (points - self.center) * scale + offset
            for name, values in alphas.items():
                getattr(part, name)[:, 3] = values * visible

    def restore(self) -> None:
        for part, points, alphas in zip(self.parts, self.points, self.alphas, strict=True):
            part.points = points.copy()
            for name, values in alphas.items():
                getattr(part, name)[:, 3] = values

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
