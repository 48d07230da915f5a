"""Pictures of slides without video: each slide's last frame as a PIL image.

`CapturesFrames`, mixed into a scene constructed with `skip_animations`, draws the
frame at the end of every beat (the golden-still tests and `scripts/stills.py`).
"""

from __future__ import annotations

from PIL import Image


class CapturesFrames:
    """Mixin for a deck scene: `self.frames` gets each slide's last frame."""

    def setup(self) -> None:
        super().setup()
        self.frames: list[Image.Image] = []

    def end_slide(self, name: str) -> None:
        super().end_slide(name)
        self.renderer.update_frame(self, ignore_skipping=True)
        self.frames.append(Image.fromarray(self.renderer.get_frame()).convert("RGB"))
