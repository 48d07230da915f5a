"""A talk: the model it explains (and, as the deck grows, who gives it and how it looks).

Scenes receive a `Talk` explicitly; nothing in the deck reads the model from the process
environment, so two talks can be built side by side in one process (as the tests do).
"""

from __future__ import annotations

from dataclasses import dataclass

from deck.model import DEFAULT_PRESET, Model, get_preset


@dataclass(frozen=True)
class Talk:
    model: Model

    @classmethod
    def for_preset(cls, name: str = DEFAULT_PRESET) -> Talk:
        return cls(get_preset(name))
