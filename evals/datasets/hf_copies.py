"""Hugging Face copies of a dataset: parquet files and `save_to_disk` folders, read with pyarrow.

What the path holds decides the reader: a `.parquet` or `.arrow` file, a folder of parquet
shards (also `data/*.parquet` as on the hub), or a `save_to_disk` folder (`state.json` + arrow
files). Rows stream in small batches (memory-mapped arrow, parquet row batches); nothing loads
a split. Media stored as bytes (the `Audio`/`Image` features) are written once, by content hash,
under `$ANYBENCH_CACHE/hf-media` (default ~/.cache/anybench), so samples refer to files as with
the original layouts and logs stay small.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from evals.task import DataNotFoundError

CACHE_ENV = "ANYBENCH_CACHE"
BATCH_ROWS = 64
"""Rows decoded at a time."""
_MAGIC = (
    (b"fLaC", ".flac"),
    (b"RIFF", ".wav"),
    (b"OggS", ".ogg"),
    (b"ID3", ".mp3"),
    (b"\xff\xfb", ".mp3"),
    (b"\x89PNG", ".png"),
    (b"\xff\xd8", ".jpg"),
    (b"GIF8", ".gif"),
)


@dataclass(frozen=True)
class HFSource:
    """The files of one split of a Hugging Face copy."""

    path: Path
    """What the task was pointed at."""
    files: tuple[Path, ...]
    """Parquet or arrow files, in order."""
    format: Literal["parquet", "arrow"]
    """How the files are stored."""


def _parquet_under(folder: Path) -> list[Path]:
    for pattern in ("*.parquet", "*/*.parquet"):
        found = sorted(folder.glob(pattern))
        if found:
            return found
    return []


def find_hf_copy(path: Path) -> HFSource | None:
    """The Hugging Face copy at `path`, or None when it holds something else (the original)."""
    if path.is_file():
        suffix = path.suffix.lower()
        if suffix in (".parquet", ".arrow"):
            return HFSource(path, (path,), "parquet" if suffix == ".parquet" else "arrow")
        return None
    if not path.is_dir():
        return None
    if (path / "dataset_dict.json").is_file():
        splits = sorted(p.name for p in path.iterdir() if (p / "state.json").is_file())
        raise DataNotFoundError(
            f"{path} is a DatasetDict saved with save_to_disk: point at one split folder "
            f"({', '.join(splits) or 'none found'})"
        )
    if (path / "state.json").is_file():
        state = json.loads((path / "state.json").read_text(encoding="utf-8"))
        names = [f["filename"] for f in state.get("_data_files", [])]
        files = [path / n for n in names] or sorted(path.glob("*.arrow"))
        absent = [str(f) for f in files if not f.is_file()]
        if absent or not files:
            raise DataNotFoundError(
                f"{path}: save_to_disk folder without its arrow files ({', '.join(absent) or 'none'})"
            )
        return HFSource(path, tuple(files), "arrow")
    parquet = _parquet_under(path)
    return HFSource(path, tuple(parquet), "parquet") if parquet else None


def _arrow_reader(path: Path):
    import pyarrow as pa

    source = pa.memory_map(str(path))
    try:
        return pa.ipc.open_stream(source)
    except pa.ArrowInvalid:
        return pa.ipc.open_file(source)


def _import_pyarrow(dataset: str, source: HFSource) -> None:
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        raise DataNotFoundError(
            f"{dataset}: {source.path} is a Hugging Face copy; reading it needs pyarrow "
            "(pip install 'anybench[hf-data]')"
        ) from None


def columns_of(source: HFSource, file: Path) -> list[str]:
    if source.format == "parquet":
        import pyarrow.parquet as pq

        return list(pq.read_schema(str(file)).names)
    return list(_arrow_reader(file).schema.names)


def iter_rows(
    source: HFSource,
    dataset: str,
    required: Sequence[str],
    optional: Sequence[str] = (),
    layout: str = "",
) -> Iterator[dict[str, Any]]:
    """Rows (as dicts of the wanted columns) of every file, streaming; checks the columns first."""
    _import_pyarrow(dataset, source)
    for file in source.files:
        names = columns_of(source, file)
        absent = [c for c in required if c not in names]
        if absent:
            raise DataNotFoundError(
                f"{dataset} (Hugging Face copy): {file} lacks column(s) {', '.join(absent)} "
                f"(it has: {', '.join(names)})"
                + (f".\nExpected columns: {layout}" if layout else "")
            )
        wanted = [c for c in (*required, *optional) if c in names]
        yield from _file_rows(source, file, wanted)


def _file_rows(source: HFSource, file: Path, columns: list[str]) -> Iterator[dict[str, Any]]:
    if source.format == "parquet":
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(str(file)).iter_batches(BATCH_ROWS, columns=columns):
            yield from batch.to_pylist()
        return
    for batch in _arrow_reader(file):
        batch = batch.select(columns)
        for start in range(0, batch.num_rows, BATCH_ROWS):
            yield from batch.slice(start, BATCH_ROWS).to_pylist()


def cache_dir(dataset: str) -> Path:
    root = os.environ.get(CACHE_ENV) or os.path.join("~", ".cache", "anybench")
    return Path(os.path.expanduser(root)) / "hf-media" / dataset


def media_path(value: Any, source: HFSource, dataset: str) -> str | None:
    """A file for an `Audio`/`Image` feature value: its bytes written to the cache, else its
    path (relative paths from the copy's folder); None when the row has neither."""
    if isinstance(value, str):
        value = {"path": value}
    if not isinstance(value, dict):
        return None
    data, path = value.get("bytes"), value.get("path")
    if data:
        ext = Path(path).suffix if path and Path(path).suffix else _sniff(data)
        digest = hashlib.sha256(data).hexdigest()[:24]
        target = cache_dir(dataset) / f"{digest}{ext}"
        if not target.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(target.suffix + f".{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, target)
        return str(target)
    if path:
        folder = source.path if source.path.is_dir() else source.path.parent
        candidate = Path(path) if Path(path).is_absolute() else folder / path
        return str(candidate)
    return None


def _sniff(data: bytes) -> str:
    return next((ext for magic, ext in _MAGIC if data.startswith(magic)), ".bin")


def or_hf_copy(hf_reader: Callable[..., Iterator]) -> Callable:
    """Decorate a dataset reader so a path holding a Hugging Face copy is read by `hf_reader`
    (same options) and every other path by the original reader."""

    def wrap(reader: Callable[..., Iterator]) -> Callable[..., Iterator]:
        @functools.wraps(reader)
        def read(path: Path, *args: Any, **kwargs: Any) -> Iterator:
            source = find_hf_copy(Path(path))
            if source is None:
                return reader(path, *args, **kwargs)
            return hf_reader(source, *args, **kwargs)

        return read

    return wrap


def row_count(source: HFSource) -> int:
    """Rows of the copy, from parquet footers or arrow batch headers (no data decoded)."""
    if source.format == "parquet":
        import pyarrow.parquet as pq

        return sum(pq.ParquetFile(str(f)).metadata.num_rows for f in source.files)
    return sum(batch.num_rows for f in source.files for batch in _arrow_reader(f))
