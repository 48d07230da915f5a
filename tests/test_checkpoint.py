"""Reading weights beside a config: single files and shards, bfloat16 and float32, and
each way a checkpoint can be broken refused in one line."""

from __future__ import annotations

import json

import numpy as np
import pytest

from deck.content.checkpoint import Checkpoint, CheckpointError, has_weights
from deck.content.realattention import readable, tokenize
from tests.tiny_checkpoint import bf16_bits, bpe_tokenizer, widened, write_checkpoint


@pytest.mark.parametrize("sharded", [False, True])
@pytest.mark.parametrize("dtype", ["bfloat16", "float32"])
def test_every_tensor_reads_back_as_written(tmp_path, dtype, sharded):
    written = write_checkpoint(tmp_path, "qwen2", dtype=dtype, sharded=sharded)
    ckpt = Checkpoint(tmp_path)
    assert len(ckpt.files) == (2 if sharded else 1)
    assert set(ckpt.tensors) == set(written)
    for name, values in written.items():
        got = ckpt.read(name)
        assert got.dtype == np.float32 and np.array_equal(got, values), name
    rows = ckpt.read("model.embed_tokens.weight", rows=np.array([3, 0, 3]))
    assert np.array_equal(rows, written["model.embed_tokens.weight"][[3, 0, 3]])


@pytest.mark.parametrize("rows", [1, 3, 1000])
@pytest.mark.parametrize("dtype", ["bfloat16", "float32"])
def test_row_blocks_cover_every_row_once_in_float64(tmp_path, dtype, rows):
    written = write_checkpoint(tmp_path, "llama", dtype=dtype)
    ckpt = Checkpoint(tmp_path)
    for name, values in written.items():
        if values.ndim != 2:
            continue
        parts = [(start, block.copy()) for start, block in ckpt.row_blocks(name, rows)]
        assert [start for start, _ in parts] == list(range(0, values.shape[0], rows)), name
        assert all(block.dtype == np.float64 for _, block in parts)
        assert np.array_equal(np.concatenate([b for _, b in parts]), values), name


def test_bfloat16_widening_is_exact():
    x = np.array([1.0, -2.5, 3.140625, 2.0**-100, -0.0], dtype=np.float32)
    assert np.array_equal(widened(bf16_bits(x)), x)  # all exactly representable in bf16


def test_identity_follows_the_files(tmp_path):
    write_checkpoint(tmp_path, "llama")
    first = Checkpoint(tmp_path).identity
    assert Checkpoint(tmp_path).identity == first
    path = tmp_path / "model.safetensors"
    stat = path.stat()
    import os

    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert Checkpoint(tmp_path).identity != first


def test_a_missing_shard_is_named(tmp_path):
    write_checkpoint(tmp_path, "llama", sharded=True)
    (tmp_path / "model-00002-of-00002.safetensors").unlink()
    with pytest.raises(
        CheckpointError, match=r"shard model-00002-of-00002\.safetensors is missing"
    ):
        Checkpoint(tmp_path)


def test_a_truncated_file_is_refused(tmp_path):
    write_checkpoint(tmp_path, "llama")
    path = tmp_path / "model.safetensors"
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(CheckpointError, match="truncated: tensor"):
        Checkpoint(tmp_path)
    path.write_bytes(path.read_bytes()[:20])
    with pytest.raises(CheckpointError, match="truncated inside its header"):
        Checkpoint(tmp_path)


def test_a_damaged_header_is_refused(tmp_path):
    write_checkpoint(tmp_path, "llama")
    path = tmp_path / "model.safetensors"
    raw = bytearray(path.read_bytes())
    raw[8] = ord("#")
    path.write_bytes(bytes(raw))
    with pytest.raises(CheckpointError, match="header is not JSON"):
        Checkpoint(tmp_path)


def test_weights_need_a_tokenizer_beside_them(tmp_path):
    write_checkpoint(tmp_path, "llama")
    assert has_weights(tmp_path)
    (tmp_path / "tokenizer.json").unlink()
    assert not has_weights(tmp_path)


@pytest.mark.parametrize(
    ("kind", "marker", "vocab"), [("byte-level", "Ġ", 300), ("metaspace", "▁", 60)]
)
def test_word_markers_are_shown_readably(tmp_path, kind, marker, vocab):
    write_checkpoint(tmp_path, "llama", tokenizer=bpe_tokenizer(kind, vocab))
    _ids, tokens, labels = tokenize(tmp_path, "The cat sat on the mat", 12)
    assert any(marker in t for t in tokens)  # the tokenizer's own strings keep the marker
    assert not any(marker in label for label in labels)
    assert "".join(labels).replace("·", "") == "Thecatsatonthemat"


def test_readable_labels():
    assert readable(" The") == "The"
    assert readable("\n") == "\\n"
    assert readable(" ") == "·"
    assert readable("<|begin_of_text|>") == "<|begin…"
    assert json.dumps(readable("é")) == json.dumps("é")
