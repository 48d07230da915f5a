"""What mobjects look like, as a fingerprint: the slide cache keys a slide by the picture it
starts on (deck/build/beatcache.py), and a slide after left-out ones keeps what both
pictures show alike (deck/scenes/base.py)."""

from __future__ import annotations

import hashlib

import numpy as np
from manim import Mobject

from deck.compat.manim import picture_opacity


def picture_hash(mobjects: list[Mobject] | tuple[Mobject, ...]) -> str:
    """A fingerprint of what mobjects look like: their points, colours, widths and order."""
    h = hashlib.sha256()
    for mob in mobjects:
        for part in mob.family_members_with_points():
            h.update(np.round(part.points, 4).tobytes())
            if picture_opacity(part) is not None:  # a picture: its pixels are its look
                h.update(part.pixel_array.tobytes())
                continue
            style = (
                part.get_fill_rgbas(),
                part.get_stroke_rgbas(),
                [[part.get_stroke_width()]],
                [[part.z_index]],
            )
            for values in style:
                h.update(np.round(np.asarray(values, dtype=float), 4).tobytes())
    return h.hexdigest()
