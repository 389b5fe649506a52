"""Sampled AnyGPT directions run batched, and a request's tokens depend on its own seed only."""

from __future__ import annotations

import pytest

from evals.registry import MODELS
from evals.spec import ModelSpec
from evals.types import Decoding, Modality, Request, Text
from tests.anygpt.test_adapter import speech
from tests.anygpt.tiny_anygpt import spec

# Hot sampling, so that the tiny model (trained to answer one fixed output) really varies with
# the seed: a batch that shared one seed, or drew rows from one generator, would show it. Top-k
# 50 as the presets: a left-padded row's logits differ from batch 1 in the last bit (~1e-7), which
# over a flat 20k-token distribution could flip a draw now and then; over 50 candidates, hardly.
HOT = {"temperature": 3.0, "top_p": 1.0, "top_k": 50, "max_new_tokens": 10}
SAMPLED = {
    "text-to-image": (Modality.IMAGE, "anygpt-paper"),
    "text-to-speech": (Modality.SPEECH, "anygpt-paper"),
    "text-to-music": (Modality.MUSIC, "anygpt-paper"),
    "speech-to-text (sampled preset)": (Modality.TEXT, "anygpt-repo"),
}


@pytest.fixture(scope="module")
def adapter(tiny_anygpt):
    return MODELS.get("anygpt").from_spec(ModelSpec.parse(spec(tiny_anygpt)))


def requests_for(output: Modality, preset: str, n: int) -> list[Request]:
    out = []
    for i in range(n):
        inputs = (speech(0.3 + 0.1 * i, 200 + 40 * i, seed=i),) if output is Modality.TEXT else ()
        inputs = inputs or (Text(" ".join(["rain"] * (1 + i % 5))),)  # prompts of several lengths
        out.append(Request("t", f"s{i}", inputs, output, Decoding(preset, 100 + i, HOT)))
    return out


def count_generate_calls(adapter, monkeypatch) -> list[int]:
    calls: list[int] = []
    model = adapter.llm.model
    real = model.generate

    def spy(*args, **kwargs):
        calls.append(kwargs["input_ids"].shape[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(model, "generate", spy)
    return calls


@pytest.mark.parametrize("direction", list(SAMPLED))
def test_batch_of_8_gives_the_tokens_of_batch_1(adapter, direction, monkeypatch):
    output, preset = SAMPLED[direction]
    requests = requests_for(output, preset, 8)
    calls = count_generate_calls(adapter, monkeypatch)
    batched = adapter.generate(requests)
    assert calls == [8]  # one batched generate, not eight
    singles = [adapter.generate([r])[0] for r in requests]
    assert [r.token_ids for r in batched] == [r.token_ids for r in singles]
    # the seed matters (so the equality above is not that of a deterministic model)
    assert len({r.token_ids for r in batched}) > 1
    same_seed = [Request("t", "x", requests[0].inputs, output, Decoding(preset, 100, HOT))]
    assert adapter.generate(same_seed)[0].token_ids == batched[0].token_ids


def test_a_row_does_not_depend_on_its_neighbours(adapter):
    requests = requests_for(Modality.IMAGE, "anygpt-paper", 16)
    full = adapter.generate(requests)
    reordered = adapter.generate(requests[8:] + requests[:8])
    assert [r.token_ids for r in reordered] == [r.token_ids for r in full[8:] + full[:8]]


def test_generation_at_the_token_budget_is_flagged_truncated(adapter):
    cut, whole = adapter.generate(
        [
            Request(
                "t",
                "a",
                (Text("rain"),),
                Modality.SPEECH,
                Decoding("anygpt-paper", 0, {"max_new_tokens": 6}),
            ),
            Request("t", "b", (Text("rain"),), Modality.SPEECH, Decoding("anygpt-paper", 0, {})),
        ]
    )
    assert cut.flags == ("truncated",) and whole.flags == ()


def test_rows_that_stop_early_carry_no_batch_padding(adapter):
    from evals.types import Audio
    from tests.anygpt.test_adapter import picture
    from tests.fakes import tone

    music = Audio(samples=tone(0.4, 440, 32000), sample_rate=32000, kind=Modality.MUSIC)
    inputs = [speech(0.5, 300), music, picture(1)]  # answers of different lengths
    requests = [
        Request("t", f"s{i}", (x,), Modality.TEXT, Decoding("anygpt-paper", i, {"num_beams": 1}))
        for i, x in enumerate(inputs)
    ]
    batched = adapter.generate(requests)
    singles = [adapter.generate([r])[0] for r in requests]
    assert len({len(r.token_ids) for r in singles}) > 1
    assert [r.token_ids for r in batched] == [r.token_ids for r in singles]
    assert all(r.token_ids[-1] == adapter.llm.vocab.eos_id for r in batched)
