"""Real attention weights of one KV group, from the talk's checkpoint, cached on disk.

`compute` tokenizes the text with the model's tokenizer, runs the numpy forward pass
(deck/content/forward.py) to the chosen layer and keeps the weights of the query heads
that share KV head `group`. The result is stored under build/attention/, keyed by the
checkpoint's identity (every file's size, mtime and header digest), the text, the layer
and the group, so a rebuild does not read the checkpoint again; a damaged entry is
recomputed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from deck import theme
from deck.content import checkpoint
from deck.content.checkpoint import Checkpoint, CheckpointError
from deck.content.forward import ForwardError, group_attention, spec_for
from deck.content.head_room import slide_max_tokens
from deck.content.model import Model
from deck.system import atomic
from deck.system.characters import refusal

DEFAULT_TEXT = "The cat sat on the mat"  # the hand-built head's sentence (deck.talk's default)

MAX_TEXT_CHARS = 80  # a talk file's attention_text: a sentence, not a paragraph
MAX_LABEL_CHARS = 8  # a token's label on the slide; longer ones end in "…"
FORMAT = 1  # bumped when what a cache entry holds changes


def default_layer(model: Model) -> int:
    """Halfway through the network (layers count from 0)."""
    return model.n_layers // 2


DEFAULT_GROUP = 0


@dataclass(frozen=True, eq=False)
class RealAttention:
    """The weights of one KV group's query heads; `weights[h]` is head `heads[h]`."""

    model_title: str
    tokens: tuple[str, ...]  # the tokenizer's own token strings, special tokens included
    labels: tuple[str, ...]  # the same tokens as the slide shows them
    layer: int
    group: int
    heads: tuple[int, ...]
    weights: np.ndarray  # [heads, tokens, tokens], rows are queries
    checkpoint_id: str

    def __repr__(self) -> str:  # what a beat's cache key reads: stands for the whole result
        digest = hashlib.sha256(np.ascontiguousarray(self.weights).tobytes()).hexdigest()[:16]
        return (
            f"RealAttention({self.model_title!r}, layer={self.layer}, group={self.group}, "
            f"tokens={self.tokens!r}, weights={digest})"
        )

    __str__ = __repr__

    def as_json(self) -> dict:
        return {
            "tokens": list(self.tokens),
            "layer": self.layer,
            "group": self.group,
            "heads": list(self.heads),
            "weights": self.weights.astype(float).tolist(),
        }


def readable(piece: str) -> str:
    """A token as a slide shows it: its decoded text without the word-start space (the
    byte-level Ġ and SentencePiece ▁), a newline as ↵-free "\\n", a bare space as "·"."""
    if piece.strip() == "":
        return "\\n" if "\n" in piece else "·"
    label = piece.strip().replace("\n", "\\n").replace("\t", "\\t")
    if refusal(label, theme.FONT) is not None:  # a character the slides' font cannot draw
        label = "?"
    return label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"


def tokenize(
    folder: Path, text: str, max_tokens: int
) -> tuple[list[int], tuple[str, ...], tuple[str, ...]]:
    """The ids the forward pass uses, the tokenizer's strings for them, and their labels."""
    tokenizer = checkpoint.load_tokenizer(folder)
    encoding = tokenizer.encode(text)
    ids = list(encoding.ids)
    if not ids:
        raise ForwardError(f"the text {text!r} has no tokens")
    if len(ids) > max_tokens:
        raise ForwardError(
            f"the text is {len(ids)} tokens for this tokenizer; at most {max_tokens} fit on "
            "the slide beside each other head's (attention_text / --text)"
        )
    pieces = [tokenizer.decode([i], skip_special_tokens=False) for i in ids]
    return ids, tuple(encoding.tokens), tuple(readable(p) for p in pieces)


def _key(ckpt_id: str, text: str, layer: int, group: int) -> str:
    blob = json.dumps([FORMAT, ckpt_id, text, layer, group])
    return hashlib.sha256(blob.encode()).hexdigest()[:32]


def _cached(path: Path, model: Model, key_parts: dict) -> RealAttention | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        weights = np.asarray(data["weights"], dtype=np.float64)
        heads = tuple(int(h) for h in data["heads"])
        tokens = tuple(str(t) for t in data["tokens"])
        labels = tuple(str(t) for t in data["labels"])
        n = len(tokens)
        if weights.shape != (len(heads), n, n) or len(labels) != n or data["key"] != key_parts:
            return None
    except (OSError, ValueError, KeyError, TypeError):
        return None  # missing or damaged: computed again
    return RealAttention(
        model.title,
        tokens,
        labels,
        key_parts["layer"],
        key_parts["group"],
        heads,
        weights,
        key_parts["checkpoint"],
    )


def compute(
    model: Model,
    text: str = DEFAULT_TEXT,
    layer: int | None = None,
    group: int = DEFAULT_GROUP,
    cache: Path | None = None,
) -> RealAttention:
    """The real weights of KV group `group` at layer `layer` (default: `default_layer`),
    from the cache folder `cache` (a project's: build/attention/) when it holds them;
    without one, computed afresh and not kept.

    Raises `CheckpointError` or `ForwardError` (one line) for what cannot be computed.
    """
    folder = checkpoint.model_folder(model.source)
    if not checkpoint.has_weights(folder):
        raise CheckpointError(
            folder, f"has no weights ({checkpoint.SINGLE} or its index) and {checkpoint.TOKENIZER}"
        )
    layer = default_layer(model) if layer is None else layer
    ckpt = Checkpoint(folder)
    spec = spec_for(model, model.source)  # load_config keeps the config.json's path
    room = slide_max_tokens(model.n_heads // model.n_kv_heads)
    ids, tokens, labels = tokenize(folder, text, room)
    parts = {"checkpoint": ckpt.identity, "text": text, "layer": layer, "group": group}
    path = None if cache is None else cache / f"{_key(ckpt.identity, text, layer, group)}.json"
    hit = None if path is None else _cached(path, model, parts)
    if hit is not None:
        return hit
    weights = group_attention(spec, ckpt, ids, layer, group)
    s = spec.group_size
    result = RealAttention(
        model.title,
        tokens,
        labels,
        layer,
        group,
        tuple(range(group * s, (group + 1) * s)),
        weights,
        ckpt.identity,
    )
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        entry = {**result.as_json(), "labels": list(labels), "key": parts}
        atomic.write_text(path, json.dumps(entry) + "\n")
    return result
