"""What a slide shows, as plain data: the tagged mobjects' boxes, text and sizes.

`RecordsLayout`, mixed into a scene, records one `Snapshot` per slide; the layout and
content tests check those records. Production renders do not mix it in.
"""

from __future__ import annotations

from dataclasses import dataclass

from manim import Mobject, Text

from deck.compat.manim import picture_opacity
from deck.components.highlight import clearance
from deck.components.roles import role_of
from deck.components.spec import baseline


@dataclass(frozen=True)
class Item:
    role: str
    text: str
    left: float
    right: float
    bottom: float
    top: float
    font_size: float | None
    opacity: float
    kind: str = ""  # what a test looks for by name: "slide-title"
    baseline: float | None = None  # a text's
    # an outline's: the clear space between its stroke and the glyphs it frames
    clearance: float | None = None
    # a card's: its paragraphs, each as the lines it was wrapped into
    paragraphs: tuple[tuple[str, ...], ...] = ()

    def overlaps(self, other: Item, tolerance: float = 0.0) -> bool:
        return (
            min(self.right, other.right) - max(self.left, other.left) > tolerance
            and min(self.top, other.top) - max(self.bottom, other.bottom) > tolerance
        )

    def contains(self, other: Item) -> bool:
        return (
            self.left <= other.left
            and other.right <= self.right
            and self.bottom <= other.bottom
            and other.top <= self.top
        )


def _opacity(mob: Mobject) -> float:
    found = []
    for part in mob.family_members_with_points():
        picture = picture_opacity(part)
        if picture is not None:
            found.append(picture)
            continue
        found.append(part.get_fill_opacity())
        if part.get_stroke_width() > 0:
            found.append(part.get_stroke_opacity())
    return max(found, default=0.0)


def collect(mobjects: list[Mobject] | tuple[Mobject, ...]) -> list[Item]:
    """Every tagged mobject on screen (the outermost tag wins; its parts are not listed)."""
    items: list[Item] = []

    def visit(mob: Mobject) -> None:
        role = role_of(mob)
        if role is None:
            for sub in mob.submobjects:
                visit(sub)
            return
        if not mob.has_points() and not mob.family_members_with_points():
            return
        # Text keeps its string with spaces in `original_text`; a Formula keeps its source
        label = getattr(mob, "original_text", None) or getattr(mob, "source", "") or ""
        glyphs = getattr(mob, "glyphs", None)
        clear = None
        if glyphs is not None:
            clear = float(clearance(mob))
        items.append(
            Item(
                role=role,
                text=label,
                left=float(mob.get_left()[0]),
                right=float(mob.get_right()[0]),
                bottom=float(mob.get_bottom()[1]),
                top=float(mob.get_top()[1]),
                font_size=getattr(mob, "font_size", None) if role == "text" else None,
                opacity=_opacity(mob),
                kind=getattr(mob, "kind", ""),
                baseline=baseline(mob) if isinstance(mob, Text) else None,
                clearance=clear,
                paragraphs=getattr(mob, "paragraphs", ()),
            )
        )

    for mob in mobjects:
        visit(mob)
    return [item for item in items if item.opacity > 0.02]


@dataclass(frozen=True)
class Snapshot:
    """The end state of one slide: its beat and the mobjects on screen (header included)."""

    beat: str
    notes: str
    items: tuple[Item, ...]


@dataclass(frozen=True)
class PlayRecord:
    """What is on screen after one `play`: the slide it belongs to (its beat's name) and
    how many tagged things besides the header and counter are visible."""

    beat: str
    shown: int


class RecordsLayout:
    """Mixin for a deck scene: `self.snapshots` gets each slide's end state, and
    `self.plays` what is left on screen after every `play` of a slide the talk shows (to
    find blank moments; a left-out beat's plays are skipped and shown to nobody)."""

    def setup(self) -> None:
        super().setup()
        self.snapshots: list[Snapshot] = []
        self.plays: list[PlayRecord] = []

    def play(self, *args, **kwargs) -> None:
        super().play(*args, **kwargs)
        if self.passing_over:
            return
        shown = len(collect(self.mobjects_without_canvas))
        self.plays.append(PlayRecord(self.current_beat, shown))

    def end_slide(self, name: str) -> None:
        super().end_slide(name)
        self.snapshots.append(Snapshot(name, self.current_notes, tuple(collect(self.mobjects))))
