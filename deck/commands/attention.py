"""`deck attention`: the real attention weights of one KV group, from the model's checkpoint.

    deck attention --model DIR [--text T] [--layer L] [--group G] [--json]

Prints the tokens and each query head's weights (rows are queries), or with `--json`
{"tokens": [...], "layer": L, "group": G, "heads": [...], "weights": [[[...]]]}, weights
as heads × tokens × tokens, so the figures can be checked outside the deck. Layers and
groups count from 0; group g holds query heads g·s … g·s + s − 1 (s: the group size).
Text, layer and group default to the talk file's (attention_text, attention_layer,
attention_group), else the short sentence, the middle layer and group 0.
"""

from __future__ import annotations

import argparse
import json

from deck.content import realattention
from deck.content.checkpoint import CheckpointError
from deck.content.forward import ForwardError
from deck.content.model import PRESETS
from deck.failure import UsageError
from deck.project import Project
from deck.talk import Talk


def _table(result: realattention.RealAttention) -> str:
    width = max(6, *(len(t) for t in result.labels)) + 1
    lines = [
        f"real weights of {result.model_title}, layer {result.layer}, KV head {result.group}: "
        f"query heads {result.heads[0]}–{result.heads[-1]}",
        "tokens: " + " ".join(json.dumps(t, ensure_ascii=False) for t in result.tokens),
    ]
    for head, weights in zip(result.heads, result.weights, strict=True):
        lines += ["", f"query head {head} (rows: queries, columns: keys)"]
        lines.append(" " * width + "".join(t.rjust(width) for t in result.labels))
        for label, row in zip(result.labels, weights, strict=True):
            lines.append(label.rjust(width) + "".join(f"{w:{width}.3f}" for w in row))
    return "\n".join(lines)


def run(args: argparse.Namespace, talk: Talk, project: Project) -> int:
    """Print the weights; raise `UsageError` (one line, exit 2) for what cannot be computed."""
    model = talk.model
    if model.name in PRESETS:
        raise UsageError(
            "attention needs a model with weights: --model DIR (a folder with "
            "config.json, model.safetensors or its index, and tokenizer.json)"
        )
    text = args.text if args.text is not None else talk.attention_text
    layer = args.layer if args.layer is not None else talk.attention_layer
    group = args.group if args.group is not None else talk.attention_group
    try:
        result = realattention.compute(model, text, layer, group, project.attention_cache)
    except (CheckpointError, ForwardError) as err:
        raise UsageError(str(err)) from None
    if args.json:
        print(json.dumps(result.as_json()))
    else:
        print(_table(result))
    return 0
