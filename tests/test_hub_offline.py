"""Offline in seconds: a component or scorer without local weights is reported at once, whether
HF_HUB_OFFLINE is set or the hub simply cannot be reached (no minutes of hub retries)."""

from __future__ import annotations

import time

import pytest

from evals import hub
from metrics.base import MetricUnavailable
from metrics.clap_model import clap_scorer
from metrics.scorers import transcriber

SCORERS = {
    "clap": lambda: clap_scorer.__wrapped__("laion/clap-htsat-unfused"),
    "hf-whisper": lambda: transcriber.__wrapped__("hf-whisper:model=openai/whisper-tiny"),
}


@pytest.fixture
def no_weights(tmp_path, monkeypatch):
    """An empty hub cache, no $ANYBENCH_SCORERS, and a fresh reachability probe."""
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub-cache"))
    monkeypatch.delenv(hub.SCORERS_ENV, raising=False)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    hub.unreachable_reason.cache_clear()
    yield constants
    hub.unreachable_reason.cache_clear()


@pytest.mark.parametrize(
    "offline, endpoint",
    [
        ("1", "https://huggingface.co"),
        ("", "http://hub.invalid"),  # no name service for it: like this machine
        ("", "http://10.255.255.1"),  # unroutable: a connection hangs until its timeout
    ],
    ids=["HF_HUB_OFFLINE", "no-dns", "no-route"],
)
@pytest.mark.parametrize("scorer", sorted(SCORERS))
def test_a_scorer_without_weights_is_unavailable_in_seconds(
    no_weights, monkeypatch, offline, endpoint, scorer
):
    # imports are not the lookup: done before the clock
    from transformers import ClapModel, WhisperForConditionalGeneration  # noqa: F401

    import evals.adapters  # noqa: F401

    monkeypatch.setenv("HF_HUB_OFFLINE", offline)
    monkeypatch.setattr(no_weights, "ENDPOINT", endpoint)
    t0 = time.perf_counter()
    with pytest.raises(MetricUnavailable) as caught:
        SCORERS[scorer]()
    seconds = time.perf_counter() - t0
    assert seconds < hub.PROBE_TIMEOUT_S + 2, f"{scorer} took {seconds:.1f} s"
    message = str(caught.value)
    assert "\n" not in message and "ANYBENCH_SCORERS" in message, message
    assert ("HF_HUB_OFFLINE is set" in message) == bool(offline), message


def test_an_unreachable_hub_is_probed_once_and_never_downloaded_from(monkeypatch):
    import huggingface_hub

    calls = []

    def snapshot(repo, **kw):
        calls.append(kw.get("local_files_only", False))
        raise huggingface_hub.errors.LocalEntryNotFoundError("not cached")

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", snapshot)
    monkeypatch.setattr(hub, "unreachable_reason", lambda url: "hub.example:443 cannot be reached")
    with pytest.raises(hub.NotFound, match=r"not in the hub cache and the hub hub\.example"):
        hub.resolve("owner/model", "test scorer")
    assert calls == [True]  # the cache was asked; the hub was not


def test_a_missing_local_path_is_reported_at_once(tmp_path):
    with pytest.raises(hub.NotFound, match="does not exist"):
        hub.resolve(str(tmp_path / "nope"), "Whisper checkpoint")
