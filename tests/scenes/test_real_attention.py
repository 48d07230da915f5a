"""The attention-weights slide with a checkpoint: the real heads of one KV group, each cell
the colour of the weight an independent reference computes; without one, the hand-built
head as before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tokenizers import Tokenizer

from deck.components.heatmap import heat_color
from tests.conftest import LONGEST_NAME, REAL_WEIGHTS_TALK, constructed, talk_for
from tests.test_forward import reference_attention
from tests.tiny_checkpoint import bf16_bits, tensors_for, widened

HEADLINE = f"Real weights of {LONGEST_NAME}, layer 1, KV head 0"


def first_slide(talk_id: str):
    return constructed("AttentionWeights", talk_id).snapshots[0]


def test_the_slide_names_model_layer_and_kv_head_on_screen_and_in_the_notes():
    snap = first_slide(REAL_WEIGHTS_TALK)
    texts = [i.text for i in snap.items if i.role == "text"]
    assert HEADLINE in texts
    assert "query heads 0–3 read one shared K/V: KV head 0" in texts
    assert [t for t in texts if t.startswith("query head ")] == [
        f"query head {h}" for h in range(4)
    ]
    assert HEADLINE.replace("Real", "real") in snap.notes
    assert "middle layer, the deck's default" in snap.notes
    assert 2 <= snap.notes.count(". ") + 1 <= 5


def test_every_cell_is_the_reference_weight():
    talk = talk_for(REAL_WEIGHTS_TALK)
    folder = Path(talk.model.source).parent
    config = json.loads((folder / "config.json").read_text())
    written = {n: widened(bf16_bits(a)) for n, a in tensors_for(config).items()}
    ids = Tokenizer.from_file(str(folder / "tokenizer.json")).encode(talk.attention_text).ids
    ref = reference_attention(config, written, ids, 1)[0:4]
    scene = constructed("AttentionWeights", REAL_WEIGHTS_TALK)
    maps = scene.real_heads[1].maps
    n = len(ids)
    for h in range(4):
        for i in range(n):
            for j in range(n):
                shown = maps[h][i * n + j].get_fill_color().to_hex()
                assert shown == heat_color(ref[h, i, j]).to_hex(), (h, i, j)
    assert talk.attention.labels == ("<bos>", "The", "cat", "sat", "on", "the", "mat")


@pytest.mark.parametrize("talk_id", ["demo-1b", "llama-3-8b", "Meta-Llama-3-8B"])
def test_without_weights_the_hand_built_head_stays(talk_id):
    snap = first_slide(talk_id)
    texts = " ".join(i.text for i in snap.items if i.role == "text")
    assert "A hand-built head" in texts and "Real weights" not in texts
    assert "hand-built" in snap.notes
