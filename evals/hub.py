"""Where a checkpoint or scorer is: a local path first, then the Hugging Face hub (or its cache).

One lookup for every adapter component and scorer model, so that all of them answer alike:
a local folder or file is used as it is; `$ANYBENCH_SCORERS/<id>` is tried next; a hub id goes to
`huggingface_hub`, from its cache alone when `HF_HUB_OFFLINE` is set, so a missing file is
reported at once instead of after minutes of retries.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

SCORERS_ENV = "ANYBENCH_SCORERS"


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


def resolve(ref: str, what: str, files: Sequence[str] | None = None) -> Path:
    """A local path for `ref` (a folder, a file or a hub id), downloading only where allowed.

    `what` names the component in errors (e.g. "AnyGPT SpeechTokenizer"); `files` limits a hub
    download to those patterns.
    """
    for path in local_candidates(ref):
        if path.exists():
            return path
    tried = ", ".join(str(p) for p in local_candidates(ref))
    if not looks_like_hub_id(ref):
        raise NotFound(f"{what}: {ref} does not exist (looked at {tried})")
    repo, _, revision = ref.partition("@")
    try:
        from huggingface_hub import snapshot_download
    except ImportError as exc:  # pragma: no cover - huggingface_hub ships with transformers
        raise NotFound(
            f"{what}: {ref} is not on disk ({tried}) and huggingface_hub is missing"
        ) from exc
    try:
        return Path(
            snapshot_download(
                repo,
                revision=revision or None,
                allow_patterns=list(files) if files else None,
                local_files_only=offline(),
            )
        )
    except Exception as exc:  # the hub raises many types; all mean "not obtainable here"
        how = (
            "HF_HUB_OFFLINE is set and it is not in the hub cache"
            if offline()
            else f"the hub could not provide it ({type(exc).__name__})"
        )
        raise NotFound(
            f"{what}: {ref} is not on disk (looked at {tried}) and {how}; download it to a folder "
            f"and pass that path, or put it under ${SCORERS_ENV}/{repo}"
        ) from exc
