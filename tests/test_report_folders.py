"""`report runs/demo/*` and `report runs/demo` (issue 14, case 12): the demo's folder holds its
runs beside a `data/` folder and `report.md`; non-run entries are skipped with a note and a
folder of runs is read as its runs."""

from __future__ import annotations

import pytest

from evals.cli.main import main
from tests.report_fixtures import report_runs, write_run


@pytest.fixture
def demo(tmp_path):
    root = tmp_path / "demo"
    for r in report_runs():
        write_run(root / r.run_id, r, {})
    (root / "data" / "voices").mkdir(parents=True)
    (root / "data" / "manifest.jsonl").write_text("{}\n")
    (root / "report.md").write_text("# the demo's table\n")
    (root / "unscored").mkdir()
    (root / "unscored" / "config.json").write_text("{}")
    return root


def test_the_demo_glob_reports_its_runs(demo, capsys):
    entries = sorted(p for p in demo.iterdir() if p.name != "unscored")
    code = main(["report", *map(str, entries)])
    out = capsys.readouterr()
    assert code == 0 and out.out.count("| Piper joe |") == 3  # results, integrity, runs
    assert f"note: {demo / 'data'}: skipped (not a run folder" in out.err
    assert f"note: {demo / 'report.md'}: skipped" in out.err
    assert "anybench score" not in out.err


def test_a_folder_of_runs_is_read_as_its_runs(demo, capsys):
    (demo / "unscored" / "config.json").unlink()
    code = main(["leaderboard", str(demo), "--metric", "vctk-tts=sim@fixture"])
    out = capsys.readouterr()
    assert code == 0 and "a folder of runs; reading the 4 inside it" in out.err


def test_an_unscored_run_still_says_to_score_it(demo, capsys):
    assert main(["report", str(demo / "unscored")]) == 2
    assert "anybench score" in capsys.readouterr().err
    assert main(["report", str(demo / "data")]) == 2
    err = capsys.readouterr().err
    assert "not a run folder (no results.json or config.json) nor a folder of runs" in err
    assert "anybench score" not in err


@pytest.mark.parametrize("command", ["report", "leaderboard", "gate"])
def test_help_has_no_doubled_percent_nor_repeated_sentences(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "%%" not in text
    sentences = [s.strip() for s in text.split(". ") if len(s.strip()) > 30]
    assert len(sentences) == len(set(sentences))
    assert text.count("headline metric") <= 1  # the leaderboard said how tasks rank twice
