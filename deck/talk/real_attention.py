"""A talk with the real attention of its model's checkpoint, when the model has one."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from deck.content import checkpoint
from deck.content.model import PRESETS
from deck.content.realattention import compute
from deck.talk import Talk


def for_talk(talk: Talk, cache: Path | None = None) -> Talk:
    """`talk` with its real attention when its model's folder has weights and a tokenizer
    (a preset, or a config alone, keeps the hand-built head); `cache` is the project's
    folder of computed weights. Raises `CheckpointError` or `ForwardError` (one line)
    when the weights are there but cannot be used."""
    if talk.model.name in PRESETS:  # a preset's source is a citation, not a file
        return talk
    if not checkpoint.has_weights(checkpoint.model_folder(talk.model.source)):
        return talk
    result = compute(
        talk.model, talk.attention_text, talk.attention_layer, talk.attention_group, cache
    )
    return replace(talk, attention=result)
