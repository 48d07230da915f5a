"""The calculator's rendered slide for a model from a config.json: laid out like every
slide, and its row's figures (sliding windows included) computed here from the config."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from deck import cli, theme
from deck.content.hfconfig import load_config
from deck.content.model import PRESETS
from deck.scenes import KVCalculator, live_slides, placement
from deck.scenes.kv_calculator import LIVE_NOTES
from deck.talk import Talk
from deck.talk.options import resolve_talk
from tests.conftest import constructed_for
from tests.scenes.test_content import binary_text
from tests.scenes.test_layout import TOUCH, _conflict, describe

CONFIGS = Path(__file__).parents[1] / "data" / "configs"
BYTES = {"bfloat16": 2, "float32": 4}


def talk_for(config: str) -> Talk:
    return Talk(load_config(CONFIGS / config))


def row_from_config(config: str) -> list[str]:
    """The row the slide shows for this config's model, from the JSON's own fields: Gemma 2
    slides a window over every other layer (the even ones), Mistral v0.1 over all."""
    c = json.loads((CONFIGS / config / "config.json").read_text())
    layers, window = c["num_hidden_layers"], c["sliding_window"]
    tokens = c["max_position_embeddings"]
    head_dim = c.get("head_dim", c["hidden_size"] // c["num_attention_heads"])
    windowed = layers // 2 if c["model_type"] == "gemma2" else layers
    held = windowed * min(tokens, window) + (layers - windowed) * tokens
    sizes = [
        binary_text(2 * heads * head_dim * BYTES[c["torch_dtype"]] * held)
        for heads in (c["num_attention_heads"], c["num_key_value_heads"], 1)
    ]
    marked = "†" if window < tokens else ""  # the footnote says which layers keep a window
    return [
        f"{tokens:,}{marked}",
        f"{c['num_attention_heads']} / {c['num_key_value_heads']}",
        *sizes,
    ]


@pytest.mark.parametrize("config", ["gemma-2-9b", "Mistral-7B-v0.1"])
def test_config_model_row_and_layout(config):
    scene = constructed_for("KVCalculator", talk_for(config))
    (snap,) = scene.snapshots
    texts = [i.text for i in snap.items if i.role == "text"]
    title = load_config(CONFIGS / config).title
    row = texts[texts.index(title) + 1 : texts.index(title) + 6]
    assert row == row_from_config(config)
    assert all(p.title in texts for p in PRESETS.values())
    c = json.loads((CONFIGS / config / "config.json").read_text())
    start = next(i for i, t in enumerate(texts) if t.startswith("†"))
    footnote = " ".join(texts[start:])  # its wrapped lines, then the live note
    assert f"{title} keeps the last {c['sliding_window']:,} tokens" in footnote
    for item in snap.items:
        # inside the safe area, as tests/scenes/test_layout.py holds every slide
        assert item.left >= theme.CONTENT_LEFT - TOUCH, describe(item)
        assert item.right <= theme.CONTENT_RIGHT + TOUCH, describe(item)
        assert item.bottom >= theme.CONTENT_BOTTOM - TOUCH, describe(item)
        assert item.top <= theme.CONTENT_CEILING + TOUCH, describe(item)
    for a, b in itertools.combinations(snap.items, 2):
        assert _conflict(a, b) is None, f"{describe(a)} and {describe(b)}"


def test_the_calculator_is_the_deck_only_live_slide():
    talk = Talk.for_preset()
    live = live_slides(talk)
    assert list(live) == [placement(KVCalculator).first_slide - 1]
    (widget,) = live.values()
    assert widget.data["model"] == talk.model.name
    assert [m["name"] for m in widget.data["models"]] == list(PRESETS)
    config_talk = talk_for("gemma-2-9b")
    (widget,) = live_slides(config_talk).values()
    names = [m["name"] for m in widget.data["models"]]
    assert names == [*PRESETS, config_talk.model.name]


def test_the_live_calculator_has_notes_of_its_own_unless_the_talk_gives_some(tmp_path):
    (widget,) = live_slides(Talk.for_preset()).values()
    assert widget.notes == LIVE_NOTES and "live" in widget.notes and "Escape" in widget.notes
    said = KVCalculator.notes_for("calculator", Talk.for_preset().model)
    assert said != widget.notes and "Here every shipped model" in said  # the table's notes
    own = tmp_path / "talk.toml"
    own.write_text('[notes]\n"kv_calculator.calculator" = "Try {m.n_kv_heads} KV heads."\n')
    talk = resolve_talk(cli.make_parser().parse_args(["list", "--talk", str(own)]))
    (widget,) = live_slides(talk).values()
    assert widget.notes == f"Try {talk.model.n_kv_heads} KV heads."
