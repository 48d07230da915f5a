"""deck/motion.py: fades that copy nothing and leave what they faded exactly as built."""

from __future__ import annotations

import numpy as np
import pytest
from manim import RIGHT, Square, VGroup

from deck.motion import fade_in, fade_out


def shapes() -> VGroup:
    return VGroup(Square(), Square().shift(2 * RIGHT).set_fill(opacity=0.5))


def snapshot(group: VGroup) -> list[np.ndarray]:
    return [p.points.copy() for p in group.family_members_with_points()]


@pytest.mark.parametrize("make", [fade_in, fade_out])
def test_a_fade_copies_nothing_and_ends_as_built(make, monkeypatch):
    group = shapes()
    built = snapshot(group)
    opacities = [p.get_fill_opacity() for p in group.family_members_with_points()]

    def refuse(*args, **kwargs):
        raise AssertionError("the fade copied the mobject")

    for part in group.get_family():
        monkeypatch.setattr(part, "copy", refuse)
    animation = make(group, shift=RIGHT)
    animation.begin()
    assert not animation.starting_mobject.family_members_with_points()
    animation.interpolate(0.5)
    moved = snapshot(group)
    assert any(not np.allclose(a, b) for a, b in zip(moved, built, strict=True))
    animation.finish()
    animation.clean_up_from_scene(type("NoScene", (), {"remove": lambda *a: None})())
    assert all(np.allclose(a, b) for a, b in zip(snapshot(group), built, strict=True))
    after = [p.get_fill_opacity() for p in group.family_members_with_points()]
    assert after == pytest.approx(opacities)
