"""Bad and hostile inputs are refused when read: one line, exit code 2, quickly, in little memory.

Each reproduction runs `deck` in a child process with its address space capped and a time
limit, so a regression (a config with 10^12 layers once grew to 5 GB before a
MemoryError; a FIFO blocked forever) fails fast instead of eating the machine.
"""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from deck.content.hfconfig import LIMITS, ConfigError, load_config
from deck.talk.file import MAX_CHARS, TalkFileError, read_talk_file

CONFIGS = Path(__file__).parent / "data" / "configs"
LLAMA = json.loads((CONFIGS / "Meta-Llama-3-8B" / "config.json").read_text())
MEMORY_CAP = 2 * 2**30  # bytes of address space for the child (deck list imports manim)
TIME_LIMIT = 60  # seconds; every case here answers in about 3 s (the import)


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run_capped(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "deck", *args],
        capture_output=True,
        text=True,
        timeout=TIME_LIMIT,
        check=False,
        preexec_fn=_capped,
        stdin=subprocess.DEVNULL,
    )


def assert_one_line_refusal(result: subprocess.CompletedProcess, *words: str) -> None:
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("deck: "), lines[0]
    for word in words:
        assert word in lines[0], lines[0]


def write_config(folder: Path, text: str) -> Path:
    path = folder / "config.json"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"num_hidden_layers": 10**9}, ("num_hidden_layers", "1,000,000,000")),
        ({"num_hidden_layers": 10**12}, ("num_hidden_layers",)),
        ({"num_attention_heads": 10**6, "num_key_value_heads": 10**6}, ("num_attention_heads",)),
        ({"vocab_size": 10**15}, ("vocab_size",)),
        ({"max_position_embeddings": 10**13}, ("max_position_embeddings",)),
    ],
)
def test_counts_beyond_published_models_are_refused(tmp_path, changes, words):
    config = write_config(tmp_path, json.dumps({**LLAMA, **changes}))
    assert_one_line_refusal(run_capped("info", "--model", str(config)), *words)


@pytest.mark.parametrize("model_type", ["mistral", "gemma2", "qwen2"])
def test_a_windowed_config_with_a_billion_layers_is_refused_before_listing_them(
    tmp_path, model_type
):
    config = {**LLAMA, "model_type": model_type, "num_hidden_layers": 10**9}
    config |= {"use_sliding_window": True, "sliding_window": 4096}
    if model_type == "gemma2":
        config |= {"head_dim": 128, "query_pre_attn_scalar": 128}
    result = run_capped("info", "--model", str(write_config(tmp_path, json.dumps(config))))
    assert_one_line_refusal(result, "num_hidden_layers")


def test_an_infinite_rope_base_is_refused(tmp_path):
    text = json.dumps(LLAMA).replace('"rope_theta": 500000.0', '"rope_theta": 1e400')
    assert "1e400" in text
    assert_one_line_refusal(
        run_capped("info", "--model", str(write_config(tmp_path, text))), "rope_theta", "finite"
    )


def test_every_limit_is_at_least_the_largest_shipped_configs_value():
    for config in CONFIGS.glob("*/config.json"):
        data, folder = json.loads(config.read_text()), config.parent
        for key, limit in LIMITS.items():
            if isinstance(data.get(key), int):
                assert data[key] <= limit, (folder.name, key)


@pytest.mark.parametrize("depth", [50, 200_000])
def test_deeply_nested_json_is_one_line(tmp_path, depth):
    config = write_config(tmp_path, "[" * depth + "]" * depth)
    with pytest.raises(ConfigError, match=r"nested deeper than|not a config"):
        load_config(config)


@pytest.mark.parametrize("depth", [10, 30_000])  # beyond the bound; beyond Python's recursion
def test_deeply_nested_toml_is_one_line(tmp_path, depth):
    talk = tmp_path / "talk.toml"
    talk.write_text("title = " + "[" * depth + "]" * depth + "\n")
    with pytest.raises(TalkFileError, match="nested deeper than"):
        read_talk_file(talk)


@pytest.mark.parametrize("option", ["--model", "--talk"])
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path, option):
    fifo = tmp_path / "config.json"
    os.mkfifo(fifo)
    assert_one_line_refusal(run_capped("list", option, str(fifo)), "named pipe")


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
@pytest.mark.parametrize("option", ["--model", "--talk"])
def test_a_device_is_refused_without_reading_it(option, device):
    assert_one_line_refusal(run_capped("list", option, device), "device")


def test_a_talk_files_model_that_is_a_fifo_is_refused(tmp_path):
    os.mkfifo(tmp_path / "pipe.json")
    talk = tmp_path / "talk.toml"
    talk.write_text('model = "pipe.json"\n')
    assert_one_line_refusal(run_capped("list", "--talk", str(talk)), "named pipe")


def talk_with(tmp_path: Path, key: str, value: str) -> Path:
    talk = tmp_path / "talk.toml"
    # a JSON string (control characters escaped, the rest as it is) is a TOML basic string
    talk.write_text(f"{key} = {json.dumps(value, ensure_ascii=False)}\n")
    return talk


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("GQA\u0000talk", "U+0000"),
        ("GQA\u001btalk", "U+001B"),
        ("GQA\u0007talk", "U+0007"),
        ("GQA\u000btalk", "U+000B"),
        ("GQA\u000ctalk", "U+000C"),
        ("GQA\rtalk", "U+000D"),
        ("GQA\uffff", "U+FFFF"),
        ("\u202elive", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("GQA \u2067talk", "U+2067"),
        ("GQA 😀", "U+1F600 GRINNING FACE"),
        ("שלום", "U+05E9 HEBREW LETTER SHIN"),
    ],
)
def test_characters_the_exports_cannot_carry_are_named(tmp_path, value, named):
    with pytest.raises(TalkFileError, match=re.escape(named)):
        read_talk_file(talk_with(tmp_path, "title", value))


def test_text_the_font_draws_is_accepted(tmp_path):
    title = "Grouped-Query Attention — αβγ, Ψ, naïve café, √d × 2 → ≈"
    assert read_talk_file(talk_with(tmp_path, "title", title)).details["title"] == title


def test_a_web_address_is_refused_when_read_not_after_rendering(tmp_path):
    with pytest.raises(TalkFileError, match="web address"):
        read_talk_file(talk_with(tmp_path, "event", "see https://example.org/talk"))


# the byline's and title's texts (model_name and attention_text need a config's model)
@pytest.mark.parametrize("key", sorted(set(MAX_CHARS) - {"model", "model_name", "attention_text"}))
def test_each_text_has_a_length_that_fits_its_slide(tmp_path, key):
    longest = ("word " * MAX_CHARS[key])[: MAX_CHARS[key]].strip()
    assert read_talk_file(talk_with(tmp_path, key, longest)).details[key] == longest
    with pytest.raises(TalkFileError, match=f"at most {MAX_CHARS[key]}"):
        read_talk_file(talk_with(tmp_path, key, "w" * (MAX_CHARS[key] + 1)))


def test_a_huge_title_is_refused_at_once(tmp_path):
    talk = talk_with(tmp_path, "title", "x" * 2**20)
    assert_one_line_refusal(run_capped("list", "--talk", str(talk)), "too large")
    talk = talk_with(tmp_path, "title", "x" * 10_000)
    assert_one_line_refusal(run_capped("list", "--talk", str(talk)), "10000 characters")


def test_a_model_name_the_font_cannot_draw_is_refused(tmp_path):
    config = CONFIGS / "Qwen3-4B" / "config.json"
    with pytest.raises(ConfigError, match=re.escape("U+1F680 ROCKET")):
        load_config(config, name="Rocket 🚀")
