"""deck.scenes.motion: fades leave what they fade as it was built, and never copy it."""

from __future__ import annotations

import tempfile

import numpy as np
import pytest
from manim import Mobject, Scene, Square, VGroup, tempconfig

from deck.scenes.motion import fade_in, fade_out


@pytest.fixture
def scene():
    options = {"media_dir": tempfile.mkdtemp(), "verbosity": "ERROR", "skip_animations": True}
    with tempconfig(options):
        yield Scene()


def test_fading_in_and_out_copies_nothing(scene, monkeypatch):
    group = VGroup(*(Square().shift([i, 0, 0]) for i in range(5)))
    copies = []
    original = Mobject.copy

    def counted(self, *args, **kwargs):
        copies.append(type(self).__name__)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Mobject, "copy", counted)
    scene.play(fade_in(group, shift=[0, 1, 0], scale=0.5))
    scene.play(fade_out(group, shift=[1, 0, 0]))
    assert copies == [], "a fade copied its mobject: a manim upgrade changed Animation.begin?"


def test_a_faded_in_mobject_ends_exactly_as_built(scene):
    square = Square().shift([1, 2, 0])
    points = square.points.copy()
    scene.play(fade_in(square, shift=[0, 1, 0], scale=0.5))
    np.testing.assert_array_equal(square.points, points)
    assert square.get_fill_opacity() == Square().get_fill_opacity()
    assert square in scene.mobjects
    scene.play(fade_out(square, shift=[1, 0, 0]))
    assert square not in scene.mobjects
    np.testing.assert_array_equal(square.points, points)
