"""`anybench.evaluate`: the Python API, on a task file and an adapter from an include folder."""

import pytest

import anybench
from evals.results import RunResults
from tests.fakes import write_asr_manifest

TEXTS = ["alpha bravo", "alpha bravo charlie", "alpha", "bravo alpha"]

ADAPTER = '''
from evals.adapters.base import ModelAdapter
from evals.registry import MODELS
from evals.types import Modality, Response, Text


@MODELS.register("api-fixed")
class Fixed(ModelAdapter):
    """Says "alpha bravo" for every clip."""

    capabilities = frozenset({(Modality.SPEECH, Modality.TEXT)})

    def generate(self, requests):
        return [Response(r.sample_id, Text("alpha bravo")) for r in requests]
'''

TASK = """
name: api-asr
family: asr
description: an ASR task of the user's
data: {reader: asr-manifest}
input: speech
output: text
metrics: [wer@basic, wer@basic-utt]
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("api")
    write_asr_manifest(root / "data", len(TEXTS), texts=TEXTS)
    (root / "plugins").mkdir()
    (root / "plugins" / "api_adapter.py").write_text(ADAPTER)
    (root / "plugins" / "api-asr.yaml").write_text(TASK)
    return root


def test_evaluate_returns_typed_results_and_resumes(folder, tmp_path):
    import jiwer

    kwargs = dict(
        model="api-fixed",
        tasks=["api-asr"],
        data={"api-asr": folder / "data" / "manifest.jsonl"},
        include_path=[folder / "plugins"],
        out=tmp_path,
        bootstrap=50,
    )
    results = anybench.evaluate(**kwargs)
    assert isinstance(results, RunResults)
    wer = results.tasks["api-asr"].metrics["wer@basic"]
    assert wer.value == pytest.approx(100 * jiwer.wer(TEXTS, ["alpha bravo"] * len(TEXTS)))
    assert results.tasks["api-asr"].integrity.ok == len(TEXTS)
    frame = anybench.evaluate(**kwargs, limit=None, as_dataframe=True)
    assert len(list(tmp_path.iterdir())) == 1  # the same call resumed the same run
    assert set(frame["metric"]) == {"wer@basic", "wer@basic-utt"}
    row = frame[frame["metric"] == "wer@basic"].iloc[0]
    assert row["value"] == pytest.approx(wer.value)


def test_evaluate_errors_are_the_cli_errors(folder, tmp_path):
    from evals.registry import UnknownNameError

    with pytest.raises(UnknownNameError, match="did you mean manifest-asr"):
        anybench.evaluate(model="test-echo", tasks=["manifest-asrr"], out=tmp_path)
    with pytest.raises(ValueError, match="exactly one of tasks"):
        anybench.evaluate(model="test-echo", out=tmp_path)
