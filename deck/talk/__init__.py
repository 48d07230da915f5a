"""A talk: the model it explains, who gives it, where, and how it looks.

Scenes receive a `Talk` explicitly; nothing in the deck reads it from the process
environment, so two talks can be built side by side in one process (as the tests do).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from deck.content.model import DEFAULT_PRESET, Model, get_preset
from deck.content.realattention import DEFAULT_TEXT as DEFAULT_ATTENTION_TEXT
from deck.talk.lineup import Chosen, whole_talk
from deck.talk.own_slides import OwnSlide

if TYPE_CHECKING:
    from deck.content.realattention import RealAttention

DEFAULT_TITLE = "Grouped-Query Attention"
DEFAULT_THEME = "dark"


@dataclass(frozen=True)
class Talk:
    model: Model
    title: str = DEFAULT_TITLE
    subtitle: str = ""  # empty: the title slide says what the model shares
    speaker: str = ""
    affiliation: str = ""
    event: str = ""
    date: datetime.date | None = None
    minutes: int | None = None  # the slot's length, for the speaker view's pacing
    theme: str = DEFAULT_THEME
    # real attention from the model's checkpoint, when it has one (deck/content/realattention.py)
    attention_text: str = DEFAULT_ATTENTION_TEXT
    attention_layer: int | None = None  # None: the middle layer
    attention_group: int = 0
    attention: RealAttention | None = None  # computed for a build, from the three above
    # the talk's sections and slides (`cut`, `sections`, `skip`); None: the whole talk
    lineup: Chosen | None = None
    # ("section.beat", notes template) pairs that replace those slides' own notes
    notes: tuple[tuple[str, str], ...] = ()
    # the speaker's own slides (`[[slide]]`), each placed after a slide of the lineup
    own_slides: tuple[OwnSlide, ...] = ()

    @classmethod
    def for_preset(cls, name: str = DEFAULT_PRESET) -> Talk:
        return cls(get_preset(name))

    @property
    def chosen(self) -> Chosen:
        """The sections and slides this talk shows, in order."""
        return self.lineup or whole_talk()

    @property
    def slug(self) -> str:
        """Names this talk's build folder and export files: the model, the theme when it
        is not the default (the frames differ, so the renders must not mix) and the cut
        when it is not the whole talk (its slides are numbered otherwise)."""
        parts = [self.model.name]
        if self.theme != DEFAULT_THEME:
            parts.append(self.theme)
        if self.chosen.label:
            parts.append(self.chosen.label)
        return "-".join(parts)


# What a talk says beyond the model and the theme (which every slide depends on):
# a slide depends on those of them its scene reads (deck/build/beatcache.py).
TALK_DETAILS = tuple(f.name for f in fields(Talk) if f.name not in ("model", "theme"))
# What only the exports use: the minutes pace the HTML speaker view and no slide shows
# them, so they are no input of a render (a build with another --minutes renders nothing).
EXPORT_ONLY = ("minutes",)
