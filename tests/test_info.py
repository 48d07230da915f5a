"""`deck info` and the --model/--name options: the figures printed are checked against counts
made here from the raw config.json (tensor by tensor, layer by layer); bad input is one line
on stderr and exit code 2."""

from __future__ import annotations

import math

import pytest

from deck import cli
from deck import format as fmt
from deck.content.model import PRESETS
from deck.talk.options import resolve_model
from tests.test_cli import run_deck
from tests.test_hfconfig import CONFIGS, PUBLISHED, kv_bytes, raw, tensor_shapes, write


def info(capsys, *args: str) -> str:
    assert cli.main(["info", *args]) == 0
    return capsys.readouterr().out


def config_path(folder: str) -> str:
    return str(CONFIGS / folder / "config.json")


def parts_by_name(c: dict) -> dict[str, int]:
    """The breakdown `deck info` must print, grouped from transformers' tensor names."""

    def part(name: str) -> str:
        if "embed_tokens" in name or name.startswith("lm_head"):
            return "embeddings"
        if name.endswith(("q_norm.weight", "k_norm.weight")):
            return "q/k norms"
        if "layernorm" in name or name == "model.norm.weight":
            return "norms"
        area = "attention" if ".self_attn." in name else "FFN"
        return f"{area} biases" if name.endswith(".bias") else area

    parts: dict[str, int] = {}
    for name, shape in tensor_shapes(c).items():
        parts[part(name)] = parts.get(part(name), 0) + math.prod(shape)
    return parts


@pytest.mark.parametrize("folder", list(PUBLISHED))
def test_info_prints_every_figure_of_a_config(folder, capsys):
    out = info(capsys, "--model", config_path(folder))
    c = raw(folder)
    heads = c["num_attention_heads"]
    kv = c["num_key_value_heads"]
    rows = [line.split() for line in out.splitlines()]
    assert out.startswith(f"{folder}  (")  # no _name_or_path: the folder names it
    assert ["parameters", f"{PUBLISHED[folder]:,}"] in [row[:2] for row in rows]
    for part, count in parts_by_name(c).items():
        row = [*part.split(), f"{count:,}"]
        assert row in [r[: len(row)] for r in rows], row
    assert f"{heads} / {kv}" in out and f"group size {heads // kv}" in out
    for n_kv in (heads, kv, 1):
        for tokens in (1, c["max_position_embeddings"]):
            n = kv_bytes(c, tokens, n_kv)
            assert f"{n:,} B" in out and fmt.nbytes(n) in out, (n_kv, tokens)
    window = "sliding window" in out
    assert window == (folder in ("Mistral-7B-v0.1", "gemma-2-9b"))


def test_info_says_how_many_tokens_a_window_keeps(capsys):
    out = info(capsys, "--model", config_path("Mistral-7B-v0.1"))
    assert "4,096" in out and "32 of 32 layers" in out
    assert f"{512 * 2**20:,} B" in out  # the cache at 32,768 tokens holds 4,096 per layer
    out = info(capsys, "--model", config_path("gemma-2-9b"))
    assert "21 of 42 layers" in out


@pytest.mark.parametrize("name", list(PRESETS))
def test_info_for_presets(name, capsys):
    out = info(capsys, "--preset", name)
    m = PRESETS[name]
    assert m.title in out and f"{m.params():,}" in out
    assert f"{m.kv_cache_bytes(m.max_len, m.n_heads):,} B" in out


def test_info_shows_the_deck_models_reference_figures(capsys):
    out = info(capsys)  # the default preset
    for figure in ("949,003,776", "147,456 B", "24,576 B", "6,144 B", "288 MiB", "48 MiB"):
        assert figure in out


def test_the_name_option_titles_the_model(capsys):
    out = info(capsys, "--model", config_path("Qwen3-4B"), "--name", "Our Qwen3 4B")
    assert out.startswith("Our Qwen3 4B  (our-qwen3-4b, from ")


def test_info_from_the_command_line():
    done = run_deck("info", "--model", config_path("Qwen3-4B"))
    assert done.returncode == 0, done.stderr
    assert "4,022,468,096" in done.stdout and done.stderr == ""


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ('{"model_type": "llama",', "not valid JSON"),
        ('{"model_type": "mixtral", "num_local_experts": 8}', "mixture-of-experts"),
        ('{"model_type": "bert"}', "model_type 'bert' is not supported"),
    ],
)
def test_bad_config_is_one_line_on_stderr(content, reason, tmp_path, capsys):
    path = write(tmp_path, content)
    assert cli.main(["info", "--model", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith(f"deck: error: {path}: ")
    assert captured.err.count("\n") == 1 and reason in captured.err


def test_bad_config_from_the_command_line(tmp_path):
    path = write(tmp_path, raw("Qwen3-4B") | {"num_key_value_heads": 5})
    done = run_deck("info", "--model", str(path))
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"deck: error: {path}: ")
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["info", "--preset", "demo-1b", "--model", "x.json"], "not allowed with"),
        (["list", "--model", "x.json", "--preset", "demo-1b"], "not allowed with"),
        (["build", "--preset", "demo-1b", "--model", "x.json"], "not allowed with"),
    ],
)
def test_preset_and_model_exclude_each_other(args, reason, capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(args)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and reason in err


def test_name_needs_a_model(capsys):
    assert cli.main(["info", "--name", "Mine"]) == 2
    assert "--name goes with --model" in capsys.readouterr().err


def test_missing_file_on_build_is_a_usage_error(tmp_path, capsys):
    path = tmp_path / "config.json"
    assert cli.main(["build", "--model", str(path), "--quality", "low"]) == 2
    assert capsys.readouterr().err == f"deck: error: {path}: no such file\n"


def test_resolve_model_for_every_command():
    parser = cli.make_parser()
    path = config_path("Mistral-7B-v0.1")
    for command in ("build", "present", "list", "info"):
        args = parser.parse_args([command, "--model", path, "--name", "Mistral 7B v0.1"])
        m = resolve_model(args)
        assert (m.title, m.name, m.sliding_window) == ("Mistral 7B v0.1", "mistral-7b-v0.1", 4096)
        assert resolve_model(parser.parse_args([command])) is PRESETS["demo-1b"]
        assert resolve_model(parser.parse_args([command, "--preset", "astrai-1b"])).n_params


def test_list_with_a_config(capsys):
    assert cli.main(["list", "--model", config_path("Qwen3-4B")]) == 0
    out = capsys.readouterr().out
    assert "Qwen3-4B" in out and "32" in out
