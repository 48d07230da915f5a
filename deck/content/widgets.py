"""Live slides in the HTML deck: what a scene declares, and what the page is given.

A scene names its live beats (`DeckSlide.live_beats`); `deck.scenes.live_slides` turns
them into deck-wide slide indices; `ExportOptions.interactive` carries them to the HTML
writer, which includes the widget's template inside that slide's section (over its video,
which the other formats show instead). Being part of the options, they are part of the
exports' stamp: a changed model or colour makes the HTML out of date.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Widget:
    template: str  # deck/export/templates/<template>, included in the slide's <section>
    data: Mapping[str, Any] = field(default_factory=dict)  # JSON for the widget's script
    # What the speaker says over the live widget: the HTML deck's notes for its slide
    # (the slide's own notes describe the video the other formats show). "": those.
    notes: str = ""
