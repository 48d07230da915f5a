"""What every export writer is given (the one error it may raise is `deck.failure.ExportError`)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from deck.content.widgets import Widget
from deck.project import Build
from deck.theme import DARK

if TYPE_CHECKING:
    from manim_slides.config import PresentationConfig

    from deck.export.pictures import Pictures

TITLE = "Grouped-Query Attention"
APPLICATION = "gqa-deck"  # the producing application, as the files' metadata names it
# The file of a format, after the stem, when it is not `.<format>`.
FILE_NAMES = {"handout": "-handout.pdf", "lite": "-lite.html", "video": ".mp4"}


@dataclass(frozen=True)
class ExportOptions:
    """Settings that are the same for every format (a writer uses those it needs).

    `deck build` makes them from the talk (`export_options` in deck/commands/build.py);
    they are part of the exports' stamp, so changing one rewrites the exports.
    """

    title: str = TITLE
    author: str = ""  # the speaker
    subject: str = ""  # what the talk explains, e.g. the model's name
    date: datetime.date | None = None  # the talk's date; None: the day of the export
    minutes: float | None = None  # the slot's length: the HTML speaker view's pacing
    references: tuple[str, ...] = ()  # full citations, for the handout's references page
    # Live slides of the HTML deck: deck-wide slide index (0-based) → its widget.
    interactive: Mapping[int, Widget] = field(default_factory=dict)
    # The HTML deck's pointer and pen: the theme's HIGHLIGHT (what points at something),
    # edged in its BACKGROUND so that a mark reads over any colour of a slide.
    marks: tuple[str, str] = (DARK.HIGHLIGHT, DARK.BACKGROUND)

    def document_info(self) -> dict[str, str]:
        """A document's title, author, subject and producing application, under the
        keyword names PIL's PDF writer and reportlab's document templates both take."""
        return {
            "title": self.title,
            "author": self.author,
            "subject": self.subject,
            "creator": APPLICATION,
            "producer": APPLICATION,
        }

    @property
    def day(self) -> datetime.date:
        return self.date or datetime.date.today()

    @property
    def timestamp(self) -> datetime.datetime:
        """The talk's day at midnight UTC: the created and modified dates of a document."""
        return datetime.datetime.combine(self.day, datetime.time(), tzinfo=datetime.UTC)

    @property
    def pdf_date(self) -> str:
        """`timestamp` as a PDF date string (what reportlab's date formatter returns)."""
        return self.timestamp.strftime("D:%Y%m%d%H%M%S+00'00'")


def out_path(build: Build, fmt: str) -> Path:
    """Where format `fmt` of the build is written: gqa.html, ..., gqa-handout.pdf."""
    return build.out_dir / f"{build.stem}{FILE_NAMES.get(fmt, f'.{fmt}')}"


class Writer(Protocol):
    def __call__(
        self,
        configs: list[PresentationConfig],
        dest: Path,
        options: ExportOptions,
        pictures: Pictures,
    ) -> None:
        """Write the whole deck to `dest` (a temporary path: the caller moves it in place),
        with the slides' pictures from `pictures` (the kinds the writer's PICTURES names)."""
