"""`deck attention`: the JSON the issue specifies, the cache, and bad inputs in one line."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest
from tokenizers import Tokenizer

from deck.cli import main
from deck.content import realattention
from deck.project import Project
from tests.test_forward import reference_attention
from tests.tiny_checkpoint import config_for, write_checkpoint


@pytest.fixture
def project(tmp_path):
    """A project of its own: its build/attention is the cache the command uses."""
    return Project(root=tmp_path / "project")


@pytest.fixture
def ckpt(tmp_path):
    folder = tmp_path / "tiny-llama"
    written = write_checkpoint(folder, "llama", sharded=True)
    return folder, written


def run(capsys, project, *args):
    code = main(["attention", *map(str, args)], project)
    out, err = capsys.readouterr()
    return code, out, err


def test_json_is_the_group_heads_weights(capsys, project, ckpt):
    folder, written = ckpt
    code, out, err = run(capsys, project, "--model", folder, "--layer", 2, "--group", 1, "--json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"tokens", "layer", "group", "heads", "weights"}
    assert data["layer"] == 2 and data["group"] == 1 and data["heads"] == [4, 5, 6, 7]
    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    encoding = tok.encode(realattention.DEFAULT_TEXT)
    assert data["tokens"] == encoding.tokens and data["tokens"][0] == "<bos>"
    config = json.loads((folder / "config.json").read_text())
    ref = reference_attention(config, written, encoding.ids, 2)[4:8]
    assert np.abs(np.array(data["weights"]) - ref).max() < 1e-6


def test_defaults_are_the_middle_layer_and_group_0(capsys, project, ckpt):
    folder, _ = ckpt
    code, out, _ = run(capsys, project, "--model", folder, "--json")
    data = json.loads(out)
    assert code == 0 and data["layer"] == config_for("llama")["num_hidden_layers"] // 2
    assert data["group"] == 0 and data["heads"] == [0, 1, 2, 3]


def test_the_table_names_model_layer_and_kv_head(capsys, project, ckpt):
    folder, _ = ckpt
    code, out, _ = run(capsys, project, "--model", folder, "--layer", 0)
    assert code == 0
    assert out.startswith("real weights of tiny-llama, layer 0, KV head 0: query heads 0–3")


def test_a_rebuild_reads_the_cache_not_the_checkpoint(capsys, project, ckpt, monkeypatch):
    folder, _ = ckpt
    first = run(capsys, project, "--model", folder, "--json")[1]

    def no_forward(*args):
        raise AssertionError("the forward pass ran again")

    monkeypatch.setattr(realattention, "group_attention", no_forward)
    assert run(capsys, project, "--model", folder, "--json")[1] == first
    entries = list((project.root / "build" / "attention").iterdir())
    assert len(entries) == 1
    entries[0].write_text("{damaged")  # a damaged entry is a miss: computed again
    monkeypatch.undo()
    assert run(capsys, project, "--model", folder, "--json")[1] == first


def _break(kind, folder):
    if kind == "shapes":
        config = json.loads((folder / "config.json").read_text())
        (folder / "config.json").write_text(json.dumps({**config, "intermediate_size": 128}))
        return "mlp.gate_proj.weight has shape [96, 64], but the config implies [128, 64]"
    if kind == "missing shard":
        (folder / "model-00001-of-00002.safetensors").unlink()
        return "shard model-00001-of-00002.safetensors is missing"
    if kind == "truncated":
        shard = folder / "model-00002-of-00002.safetensors"
        shard.write_bytes(shard.read_bytes()[:-10])
        return "truncated: tensor"
    raise AssertionError(kind)


@pytest.mark.parametrize(
    ("args", "damage", "says"),
    [
        ((), "shapes", None),
        ((), "missing shard", None),
        ((), "truncated", None),
        (("--layer", 3), None, "layer 3 is out of range: the model has layers 0–2"),
        (("--group", 2), None, "group 2 is out of range: the model has KV groups 0–1"),
        (("--layer", -1), None, "layer -1 is out of range"),
        (
            ("--text", "The cat sat on the mat and the dog ran far and the cat sat"),
            None,
            "the text is 16 tokens for this tokenizer; at most 7 fit on the slide",
        ),
    ],
)
def test_bad_inputs_are_one_line_exit_2(capsys, project, ckpt, args, damage, says):
    folder, _ = ckpt
    if damage is not None:
        says = _break(damage, folder)
    code, out, err = run(capsys, project, "--model", folder, *args, "--json")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("deck: error: ") and says in err, err


def test_a_preset_has_no_weights(capsys, project):
    code, out, err = run(capsys, project, "--preset", "llama-3-8b")
    assert code == 2 and out == "" and err.count("\n") == 1 and "needs a model with weights" in err


def test_a_config_without_weights(capsys, project, ckpt, tmp_path):
    folder, _ = ckpt
    alone = tmp_path / "alone"
    alone.mkdir()
    shutil.copy(folder / "config.json", alone / "config.json")
    code, out, err = run(capsys, project, "--model", alone)
    assert code == 2 and out == "" and err.count("\n") == 1 and "has no weights" in err


def test_the_talk_file_chooses_text_layer_and_group(capsys, project, ckpt, tmp_path):
    folder, _ = ckpt
    talk = tmp_path / "talk.toml"
    talk.write_text(
        f'model = "{folder}"\nattention_text = "a dog ran far"\n'
        "attention_layer = 1\nattention_group = 1\n"
    )
    code, out, err = run(capsys, project, "--talk", talk, "--json")
    data = json.loads(out)
    assert code == 0, err
    assert data["tokens"] == ["<bos>", "a", "dog", "ran", "far"]
    assert (data["layer"], data["group"]) == (1, 1)
    code, out, _ = run(capsys, project, "--talk", talk, "--layer", 0, "--json")  # the option wins
    assert json.loads(out)["layer"] == 0


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ("attention_layer = -1", "attention_layer: must be a whole number from 0, got -1"),
        ("attention_group = true", "attention_group: must be a whole number from 0"),
        ('attention_text = ""', "attention_text: must not be empty"),
        (f'attention_text = "{"a " * 41}"', "attention_text: is 82 characters long; at most 80"),
    ],
)
def test_bad_talk_file_keys(capsys, project, ckpt, tmp_path, line, says):
    folder, _ = ckpt
    talk = tmp_path / "talk.toml"
    talk.write_text(f'model = "{folder}"\n{line}\n')
    code, out, err = run(capsys, project, "--talk", talk)
    assert code == 2 and out == "" and err.count("\n") == 1 and says in err, err


def test_attention_keys_go_with_a_model_folder(capsys, project, tmp_path):
    talk = tmp_path / "talk.toml"
    talk.write_text('model = "llama-3-8b"\nattention_layer = 3\n')
    code, _, err = run(capsys, project, "--talk", talk)
    assert code == 2 and "attention_layer: goes with a model folder that has weights" in err


def test_a_build_with_broken_weights_stops_before_anything_is_built(capsys, project, ckpt):
    folder, _ = ckpt
    (folder / "model-00002-of-00002.safetensors").unlink()
    code = main(["build", "--model", str(folder), "--quality", "low"], project)
    _, err = capsys.readouterr()
    assert code == 2 and err.count("\n") == 1 and "is missing" in err, err
    assert not (project.root / "build").exists()
