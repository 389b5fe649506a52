"""`anybench report --history RUN`: how a run's scores changed between scorings, read from the
results history every re-score keeps (RunStore.write_results)."""

from __future__ import annotations

import os
from dataclasses import replace

from evals.cli.main import main
from evals.results import to_json
from evals.store import RunStore
from tests.report_fixtures import SIM, WER_TTS, WER_TTS_OTHER, metric, run, task


def scored_three_times(folder):
    """WER upgraded to another scorer revision, then SIM re-scored with a new value."""
    store = RunStore(folder)
    folder.mkdir(parents=True)
    versions = [
        [metric(WER_TTS, 9.1, 8.0, 10.2), metric(SIM, 0.70, 0.68, 0.72)],
        [metric(WER_TTS_OTHER, 7.4, 6.5, 8.3), metric(SIM, 0.70, 0.68, 0.72)],
        [metric(WER_TTS_OTHER, 7.4, 6.5, 8.3), metric(SIM, 0.73, 0.71, 0.75)],
    ]
    for k, metrics in enumerate(versions):
        r = run("Piper joe", "piper:voice=joe", [task("vctk-tts", metrics)], run_id=folder.name)
        r = replace(r, provenance={**r.provenance, "scored_at": f"2026-01-0{k + 1}T00:00:00+0000"})
        store.write_results(to_json(r))
        path = store.results_path
        os.utime(path, (1_700_000_000 + 100 * k, 1_700_000_000 + 100 * k))
    return folder


def test_history_shows_each_scoring_and_what_changed(tmp_path, capsys):
    folder = scored_three_times(tmp_path / "piper")
    assert len(RunStore(folder).history()) == 2
    code = main(["report", "--history", str(folder)])
    out = capsys.readouterr().out
    assert code == 0 and out.startswith("# History of piper")
    results = out.split("## Changes")[0]
    rows = [line for line in results.splitlines() if line.startswith("| scored ")]
    assert [r.split(" | ")[0] for r in rows] == [
        "| scored 2026-01-01T00:00:00+0000 (results-20231114T221320Z.json)",
        "| scored 2026-01-02T00:00:00+0000 (results-20231114T221500Z.json)",
        "| scored 2026-01-03T00:00:00+0000 (current)",
    ]
    # the upgraded preset is split by protocol, the difference named
    assert 'settings.scorer_revision: null vs "v2"' in out
    assert "protocol #2f4daf56 → #bea98d41" in out and "value 9.1 → 7.4 (-1.7)" in out
    assert "value 0.7 → 0.73 (+0.03)" in out
    assert "**" not in results  # scorings are not rivals: no best marks


def test_history_of_a_run_never_rescored_and_bad_uses(tmp_path, capsys):
    folder = tmp_path / "once"
    folder.mkdir()
    RunStore(folder).write_results(to_json(run("A", "a", [task("t", [metric(SIM, 0.5)])])))
    assert main(["report", "--history", str(folder)]) == 0
    assert "No score changed between scorings." in capsys.readouterr().out
    assert main(["report", "--history", str(folder), str(folder)]) == 2
    assert "--history takes one run, not 2" in capsys.readouterr().err
    assert main(["report", "--history", str(tmp_path / "none")]) == 2
    assert "no results file" in capsys.readouterr().err
