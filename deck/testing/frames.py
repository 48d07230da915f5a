"""Pictures of slides without video: each slide's last frame as a PIL image.

`CapturesFrames`, mixed into a scene constructed with `skip_animations`, draws the
frame at the end of every beat (the golden-still tests and `scripts/stills.py`).
"""

from __future__ import annotations

from PIL import Image

from deck.compat.manim import current_frame


class CapturesFrames:
    """Mixin for a deck scene: `self.frames` gets each slide's last frame."""

    def setup(self) -> None:
        super().setup()
        self.frames: list[Image.Image] = []

    def end_slide(self, name: str) -> None:
        super().end_slide(name)
        self.frames.append(Image.fromarray(current_frame(self)).convert("RGB"))
