"""What every export writer is given, and the one error it may raise."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from deck.export.widgets import Widget

if TYPE_CHECKING:
    from manim_slides.config import PresentationConfig

TITLE = "Grouped-Query Attention"


class ExportError(Exception):
    """Bad input or a failed conversion; the message is one line saying what to do."""


@dataclass(frozen=True)
class ExportOptions:
    """Settings that are the same for every format (a writer uses those it needs)."""

    title: str = TITLE
    # Live slides of the HTML deck: deck-wide slide index (0-based) → its widget.
    interactive: Mapping[int, Widget] = field(default_factory=dict)


class Writer(Protocol):
    def __call__(
        self, configs: list[PresentationConfig], dest: Path, options: ExportOptions
    ) -> None:
        """Write the whole deck to `dest` (a temporary path: the caller moves it in place)."""
