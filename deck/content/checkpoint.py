"""A model's weights and tokenizer beside its config.json, read offline.

The weights are `model.safetensors`, or the shards a `model.safetensors.index.json` maps
each tensor to. `safetensors` (numpy API) checks each file's header and lists its tensors;
numpy has no bfloat16, so a BF16 tensor is memory-mapped at the offsets of the header and
widened to float32 by shifting its 16 bits into the high half of a uint32 (bfloat16 is
float32 with the low 16 bits of the mantissa cut off: the widening is exact). Only the
tensors asked for are read, one at a time, so a 16 GB checkpoint is never in memory.

Every failure (no weights, a missing shard, a truncated or damaged file, a tensor the
config implies that is missing or has another shape) is a `CheckpointError`: one line
naming the file.
"""

from __future__ import annotations

import hashlib
import json
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SINGLE = "model.safetensors"
INDEX = "model.safetensors.index.json"
TOKENIZER = "tokenizer.json"
MAX_HEADER_BYTES = 100 * 2**20  # the format's own cap on a header (safetensors' MAX_HEADER_SIZE)
MAX_INDEX_BYTES = 16 * 2**20  # an index maps a few thousand names: a few hundred KiB
# numpy dtypes safetensors can hand over directly; BF16 is widened here (see above)
DIRECT = {"F32": np.float32, "F16": np.float16, "F64": np.float64}
BYTES = {"F32": 4, "F16": 2, "F64": 8, "BF16": 2}


class CheckpointError(ValueError):
    """Weights the deck cannot read; the message is one line naming the file."""

    def __init__(self, path: Path | str, reason: str):
        super().__init__(f"{path}: {reason}")


@dataclass(frozen=True)
class TensorEntry:
    """Where one tensor's bytes are: its file, dtype, shape and absolute byte range."""

    file: Path
    dtype: str
    shape: tuple[int, ...]
    start: int
    end: int


def weights_file(folder: Path) -> Path | None:
    """The weights beside a config: the index of a sharded checkpoint, else the single file."""
    for name in (INDEX, SINGLE):
        if (folder / name).is_file():
            return folder / name
    return None


def has_weights(folder: Path) -> bool:
    """Whether real attention can be computed: weights and a tokenizer.json beside the config."""
    return weights_file(folder) is not None and (folder / TOKENIZER).is_file()


def model_folder(source: str | Path) -> Path:
    """The folder of a config.json (or the folder itself)."""
    path = Path(source)
    return path if path.is_dir() else path.parent


def _header(path: Path) -> tuple[dict, int, bytes]:
    """The header of a safetensors file, where its data starts, and the header's bytes."""
    try:
        with path.open("rb") as f:
            head = f.read(8)
            if len(head) < 8:
                raise CheckpointError(path, "truncated: shorter than a safetensors header")
            (length,) = struct.unpack("<Q", head)
            if length > MAX_HEADER_BYTES:
                raise CheckpointError(path, f"not a safetensors file (header of {length:,} bytes)")
            raw = f.read(length)
    except OSError as err:
        raise CheckpointError(path, f"cannot be read: {err.strerror or err}") from None
    if len(raw) < length:
        raise CheckpointError(path, "truncated inside its header")
    try:
        header = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise CheckpointError(path, "not a safetensors file (its header is not JSON)") from None
    if not isinstance(header, dict):
        raise CheckpointError(path, "not a safetensors file (its header is not an object)")
    return header, 8 + length, raw


def _entries(path: Path) -> tuple[dict[str, TensorEntry], bytes]:
    """Every tensor of one file, checked by the safetensors library and against its size."""
    from safetensors import SafetensorError, safe_open

    header, data_start, raw = _header(path)
    size = path.stat().st_size
    entries: dict[str, TensorEntry] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        try:
            dtype, shape = info["dtype"], tuple(int(n) for n in info["shape"])
            begin, end = (int(n) for n in info["data_offsets"])
        except (KeyError, TypeError, ValueError):
            raise CheckpointError(path, f"tensor {name!r} has a malformed header entry") from None
        if dtype not in BYTES:
            raise CheckpointError(
                path, f"tensor {name!r} is {dtype}; the deck reads {', '.join(BYTES)}"
            )
        if end - begin != BYTES[dtype] * int(np.prod(shape, dtype=np.int64)):
            raise CheckpointError(path, f"tensor {name!r}: its byte range does not fit its shape")
        if data_start + end > size:
            raise CheckpointError(
                path,
                f"truncated: tensor {name!r} ends at byte {data_start + end:,} of {size:,}",
            )
        entries[name] = TensorEntry(path, dtype, shape, data_start + begin, data_start + end)
    try:  # the library's own checks (overlaps, gaps, alignment) on top of the above
        with safe_open(str(path), framework="np") as f:
            listed = set(f.keys())
    except (SafetensorError, OSError, ValueError) as err:
        reason = " ".join(str(err).split()) or type(err).__name__
        raise CheckpointError(path, f"not a readable safetensors file: {reason}") from None
    if listed != set(entries):
        raise CheckpointError(path, "its tensors disagree with the safetensors library's listing")
    return entries, raw


def _shards(index: Path) -> list[Path]:
    """The shard files an index maps tensors to, in order, each checked to exist."""
    if index.stat().st_size > MAX_INDEX_BYTES:
        raise CheckpointError(index, "too large for a safetensors index")
    try:
        data = json.loads(index.read_text(encoding="utf-8"))
        weight_map = data["weight_map"]
        names = sorted(set(weight_map.values()))
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, AttributeError):
        raise CheckpointError(index, "not a safetensors index (no weight_map)") from None
    shards = []
    for name in names:
        if not isinstance(name, str) or Path(name).name != name:
            raise CheckpointError(index, f"shard {name!r} is not a file beside the index")
        shard = index.parent / name
        if not shard.is_file():
            raise CheckpointError(index, f"shard {name} is missing (looked for {shard})")
        shards.append(shard)
    return shards


class Checkpoint:
    """The tensors of a checkpoint folder, by name; `read` returns one as float32."""

    def __init__(self, folder: Path):
        found = weights_file(folder)
        if found is None:
            raise CheckpointError(folder, f"has no {SINGLE} or {INDEX}")
        self.folder = folder
        self.files = _shards(found) if found.name == INDEX else [found]
        self.tensors: dict[str, TensorEntry] = {}
        digest = hashlib.sha256()
        for file in self.files:
            entries, raw = _entries(file)
            self.tensors.update(entries)
            stat = file.stat()
            digest.update(f"{file.name}\0{stat.st_size}\0{stat.st_mtime_ns}\0".encode())
            digest.update(hashlib.sha256(raw).digest())
        self.identity = digest.hexdigest()  # sizes, mtimes and header digests of every file

    def shape(self, name: str) -> tuple[int, ...] | None:
        entry = self.tensors.get(name)
        return None if entry is None else entry.shape

    def read(self, name: str, rows: np.ndarray | None = None) -> np.ndarray:
        """Tensor `name` as a new float32 array; `rows` picks rows of its first axis only
        (an embedding's rows for the tokens, not the whole vocabulary)."""
        entry = self.tensors[name]
        raw = _memmap(entry)
        picked = raw if rows is None else raw[np.asarray(rows)]
        if entry.dtype != "BF16":
            out = np.asarray(picked, dtype=np.float32).copy()
        else:
            wide = np.empty(picked.shape, dtype=np.uint32)
            np.left_shift(picked, 16, out=wide, dtype=np.uint32)
            out = wide.view(np.float32)
        del raw
        return out

    def row_blocks(self, name: str, rows: int) -> Iterator[tuple[int, np.ndarray]]:
        """Tensor `name` (a matrix) `rows` rows at a time, each block widened to float64
        into one reused buffer: (first row, block). A whole widened tensor would pass
        through main memory twice more than its bytes on disk (bench/RESULTS-attention.md)."""
        entry = self.tensors[name]
        raw = _memmap(entry)
        count, width = entry.shape
        rows = max(1, min(rows, count))
        wide = np.empty((rows, width), dtype=np.uint32) if entry.dtype == "BF16" else None
        block = np.empty((rows, width), dtype=np.float64)
        for start in range(0, count, rows):
            part = raw[start : start + rows]
            k = part.shape[0]
            if wide is not None:
                np.left_shift(part, 16, out=wide[:k], dtype=np.uint32)
                block[:k] = wide[:k].view(np.float32)
            else:
                block[:k] = part
            yield start, block[:k]
        del raw


def _memmap(entry: TensorEntry) -> np.memmap:
    """A tensor's bytes as an array, read from disk only where indexed (BF16 as its bits)."""
    return np.memmap(
        entry.file,
        dtype=np.uint16 if entry.dtype == "BF16" else DIRECT[entry.dtype],
        mode="r",
        offset=entry.start,
        shape=entry.shape,
    )


def load_tokenizer(folder: Path):
    """The model's own tokenizer (`tokenizers`, from tokenizer.json)."""
    from tokenizers import Tokenizer

    path = folder / TOKENIZER
    try:
        return Tokenizer.from_file(str(path))
    except Exception as err:  # the library raises a bare Exception for a malformed file
        reason = " ".join(str(err).split())[:120] or type(err).__name__
        raise CheckpointError(path, f"not a readable tokenizer: {reason}") from None
