"""Where a checkpoint or scorer is: a local path first, then the Hugging Face hub (or its cache).

One lookup for every adapter component and scorer model, so that all of them answer alike:

1. a local folder or file is used as it is;
2. `$ANYBENCH_SCORERS/<id>` is tried next, for a hub id;
3. the hub cache (`huggingface_hub`), without contacting the hub;
4. the hub itself, unless `HF_HUB_OFFLINE` is set, and only after one short connection probe of
   its endpoint: a hub that cannot be reached is reported at once, instead of after the minutes
   of retries with backoff that `huggingface_hub` spends on every file of a model.

Loaders are then given the local folder, so they never contact the hub themselves.
"""

from __future__ import annotations

import functools
import os
import socket
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlparse

SCORERS_ENV = "ANYBENCH_SCORERS"
PROBE_TIMEOUT_S = 3.0
"""Seconds the connection probe of the hub endpoint may take before the hub counts as unreachable."""


class NotFound(FileNotFoundError):
    """A component that is neither on disk nor obtainable from the hub; the message says where
    it was looked for and what to do."""


def offline() -> bool:
    """True when the hub must not be contacted (`HF_HUB_OFFLINE`, as huggingface_hub reads it)."""
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


def looks_like_hub_id(ref: str) -> bool:
    """`owner/name` (optionally `owner/name@revision`) and nothing path-like."""
    if ref.startswith(("/", ".", "~")) or "\\" in ref:
        return False
    return ref.split("@", 1)[0].count("/") == 1


def local_candidates(ref: str) -> list[Path]:
    """The local places `ref` may be, in the order they are tried."""
    found = [Path(ref).expanduser()]
    root = os.environ.get(SCORERS_ENV)
    if root and looks_like_hub_id(ref):
        found.append(Path(root).expanduser() / ref.split("@", 1)[0])
    return found


def local_path(ref: str) -> Path | None:
    """The first local place where `ref` exists, or None."""
    return next((p for p in local_candidates(ref) if p.exists()), None)


def endpoint() -> str:
    """The hub endpoint huggingface_hub talks to (`HF_ENDPOINT`, default huggingface.co)."""
    try:
        from huggingface_hub import constants
    except ImportError:  # pragma: no cover - huggingface_hub ships with transformers
        return os.environ.get("HF_ENDPOINT", "").rstrip("/") or "https://huggingface.co"
    return constants.ENDPOINT


@functools.cache
def unreachable_reason(url: str) -> str | None:
    """Why the hub at `url` cannot be reached (one TCP connection, `PROBE_TIMEOUT_S` at most), or
    None when it answers; asked once per process and endpoint."""
    parts = urlparse(url)
    host = parts.hostname or ""
    port = parts.port or (80 if parts.scheme == "http" else 443)
    try:
        socket.create_connection((host, port), timeout=PROBE_TIMEOUT_S).close()
    except OSError as exc:
        return f"{host}:{port} cannot be reached ({exc or type(exc).__name__})"
    return None


def resolve(
    ref: str, what: str, files: Sequence[str] | None = None, revision: str | None = None
) -> Path:
    """A local path for `ref` (a folder, a file or a hub id), downloading only where allowed.

    `what` names the component in errors (e.g. "AnyGPT SpeechTokenizer"); `files` limits a hub
    download to those patterns; `revision` (or `ref`'s `@revision`) pins a hub revision.
    """
    found = local_path(ref)
    if found is not None:
        return found
    tried = ", ".join(str(p) for p in local_candidates(ref))
    if not looks_like_hub_id(ref):
        raise NotFound(f"{what}: {ref} does not exist (looked at {tried})")
    repo, _, pinned = ref.partition("@")
    revision = pinned or revision

    def fail(how: str, exc: BaseException | None = None) -> NotFound:
        error = NotFound(
            f"{what}: {ref} is not on disk (looked at {tried}) and {how}; download it to a folder "
            f"and pass that path, or put it under ${SCORERS_ENV}/{repo}"
        )
        error.__cause__ = exc
        return error

    try:
        from huggingface_hub import snapshot_download
    except ImportError as exc:  # pragma: no cover - huggingface_hub ships with transformers
        raise fail("huggingface_hub is missing", exc) from exc
    patterns = list(files) if files else None
    try:
        return Path(
            snapshot_download(
                repo, revision=revision, allow_patterns=patterns, local_files_only=True
            )
        )
    except Exception as exc:  # not in the cache (the hub raises many types)
        if offline():
            raise fail("HF_HUB_OFFLINE is set and it is not in the hub cache", exc) from exc
    reason = unreachable_reason(endpoint())
    if reason is not None:
        raise fail(f"it is not in the hub cache and the hub {reason}")
    try:
        return Path(snapshot_download(repo, revision=revision, allow_patterns=patterns))
    except Exception as exc:
        first = (str(exc).splitlines() or [""])[0][:200]
        raise fail(f"the hub could not provide it ({type(exc).__name__}: {first})", exc) from exc
