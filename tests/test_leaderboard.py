"""Leaderboard ranking: direction, ties, coverage, ground truth, protocols."""

from __future__ import annotations

import pytest
from PIL import Image

from evals.cli.main import main
from reports import frame
from reports.checkpoints import checkpoint_series, step_of
from reports.leaderboard import LeaderboardError, average_ranks, board_grid, leaderboard
from reports.leaderboard_render import render_leaderboard
from reports.runs import load_runs
from tests.report_fixtures import (
    ASR_WER,
    SIM,
    WER_TTS,
    WER_TTS_OTHER,
    board_runs,
    metric,
    run,
    task,
    write_run,
)


def test_average_ranks_direction_and_ties():
    assert average_ranks([(0, 3.0), (1, 1.0), (2, 3.0), (3, 2.0)], higher_is_better=False) == {
        1: 1.0,
        3: 2.0,
        0: 3.5,
        2: 3.5,
    }
    assert average_ranks([(0, 0.5), (1, 0.9)], higher_is_better=True) == {1: 1.0, 0: 2.0}


def test_board_order_ranks_and_aggregate():
    board = leaderboard(board_runs())
    by_name = {s.name: s for s in board.standings}
    s2000 = by_name["step-2000 <script>alert(1)</script>"]
    # per-task ranks over every system that ran the task (step-4000 is best on asr-set) ...
    assert s2000.ranks == {"asr-set": 2.5, "tts-set": 1.0}
    # ... the overall mean over ranks among the systems that ran both tasks: asr 1.5, tts 1
    assert s2000.mean_rank == 1.25
    assert [s.position for s in board.standings] == [1, 2, 3, None, None]
    # step-4000 ran one of the two tasks: no overall place, its coverage shown and noted
    s4000 = board.standings[3]
    assert s4000.name == "step-4000" and s4000.mean_rank is None and not s4000.compared
    assert any("step-4000 ran 1 of the 2 compared tasks (asr-set)" in n for n in board.notes)
    truth = board.standings[-1]
    assert truth.reference and truth.ranks == {} and truth.coverage == 1
    assert "among the systems that ran the same tasks" in board.notes[0]


def test_equal_scores_share_a_place():
    runs = [
        run("a", "m:a", [task("t", [metric(ASR_WER, 5.0)])], run_id="a"),
        run("b", "m:b", [task("t", [metric(ASR_WER, 5.0)])], run_id="b"),
        run("c", "m:c", [task("t", [metric(ASR_WER, 6.0)])], run_id="c"),
    ]
    assert [s.position for s in leaderboard(runs).standings] == [1, 1, 3]


def test_headline_metric_can_be_chosen():
    runs = [
        run("a", "m:a", [task("t", [metric(WER_TTS, 5.0), metric(SIM, 0.5)])], run_id="a"),
        run("b", "m:b", [task("t", [metric(WER_TTS, 6.0), metric(SIM, 0.9)])], run_id="b"),
    ]
    assert leaderboard(runs).standings[0].name == "a"
    assert leaderboard(runs, {"t": SIM.name}).standings[0].name == "b"
    with pytest.raises(LeaderboardError, match="no run scored t with bleu"):
        leaderboard(runs, {"t": "bleu"})
    with pytest.raises(LeaderboardError, match="task\\(s\\) no run has: other"):
        leaderboard(runs, {"other": SIM.name})


def test_different_protocols_are_never_ranked_together():
    runs = [
        run("a", "m:a", [task("t", [metric(WER_TTS, 5.0)])], run_id="a"),
        run("b", "m:b", [task("t", [metric(WER_TTS_OTHER, 4.0)])], run_id="b"),
    ]
    with pytest.raises(LeaderboardError, match=r"cannot rank: .*scorer_revision"):
        leaderboard(runs)


def test_a_tts_only_and_an_asr_only_system_are_not_both_first():
    runs = [
        run("tts", "m:tts", [task("tts-set", [metric(SIM, 0.8)])], run_id="tts"),
        run("asr", "m:asr", [task("asr-set", [metric(ASR_WER, 5.0)], family="asr")], run_id="asr"),
        run("both", "m:both", [task("tts-set", [metric(SIM, 0.7)]),
                               task("asr-set", [metric(ASR_WER, 6.0)], family="asr")],
            run_id="both"),
    ]  # fmt: skip
    board = leaderboard(runs)
    assert [(s.name, s.position) for s in board.standings] == [
        ("both", 1),
        ("tts", None),
        ("asr", None),
    ]
    md = board_grid(board)
    assert [r[3].text for r in md.rows] == ["2/2", "1/2", "1/2"]


def test_best_marks_follow_the_report_rule_ties_included():
    board = leaderboard(board_runs())
    grid = board_grid(board)
    asr = next(i for i, h in enumerate(grid.headers) if h.text == ASR_WER.name)
    best = [r[1].text for r in grid.rows if r[asr].best]
    report = frame(board_runs())
    expected = report[(report.metric == ASR_WER.name) & report.best].system.tolist()
    assert best == ["step-4000"] and expected == ["step-4000"]
    tie = [
        run("a", "m:a", [task("t", [metric(ASR_WER, 5.0)])], run_id="a"),
        run("b", "m:b", [task("t", [metric(ASR_WER, 5.0)])], run_id="b"),
    ]
    grid = board_grid(leaderboard(tie))
    assert [r[4].best for r in grid.rows] == [True, True]


def test_several_metrics_per_task_rank_by_the_first():
    runs = [
        run("a", "m:a", [task("t", [metric(WER_TTS, 5.0), metric(SIM, 0.5)])], run_id="a"),
        run("b", "m:b", [task("t", [metric(WER_TTS, 6.0), metric(SIM, 0.9)])], run_id="b"),
    ]
    board = leaderboard(runs, {"t": f"{WER_TTS.name},{SIM.name}"})
    assert [c.metric for c in board.columns_shown()] == [WER_TTS.name, SIM.name]
    assert board.standings[0].name == "a"
    grid = board_grid(board)
    assert [h.text for h in grid.headers][4:] == [WER_TTS.name, "rank", SIM.name]
    sim_best = [r[1].text for r in grid.rows if r[6].best]
    assert sim_best == ["b"]
    with pytest.raises(LeaderboardError, match="no run scored t with bleu"):
        leaderboard(runs, {"t": f"{WER_TTS.name},bleu"})


def four_checkpoints(tmp_path):
    """Four runs on disk, their steps named three ways, WER falling with the step."""
    folders = []
    for k, (label, spec) in enumerate(
        [
            ("step-1000", "anygpt:llm=/ckpt/a"),
            ("step 2k", "anygpt:llm=/ckpt/b"),
            ("nightly", "anygpt:llm=/ckpt/run/checkpoint-3000"),
            ("late", "anygpt:llm=/ckpt/d,step=4000"),
        ]
    ):
        wer = 12.0 - 2 * k
        r = run(label, spec, [task("asr-set", [metric(ASR_WER, wer, wer - 1, wer + 1)])],
                run_id=f"r{k}")  # fmt: skip
        folders.append(write_run(tmp_path / f"r{k}", r, {}))
    return folders


def test_checkpoint_trend_from_four_labelled_runs(tmp_path, capsys):
    folders = four_checkpoints(tmp_path)
    board = leaderboard(load_runs(folders))
    assert [step_of(r) for r in board.runs] == [1000, 2000, 3000, 4000]
    (series,) = checkpoint_series(board)
    assert [p[:2] for p in series.points] == [(1000, 12.0), (2000, 10.0), (3000, 8.0), (4000, 6.0)]
    assert series.points[0][2:] == (11.0, 13.0)
    png, svg = tmp_path / "trend.png", tmp_path / "trend.svg"
    code = main(["leaderboard", *map(str, folders), "--plot", str(png), "--format", "html",
                 "--out", str(tmp_path / "board.html")])  # fmt: skip
    assert code == 0 and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = Image.open(png).size
    assert width > 300 and height > 200
    html = (tmp_path / "board.html").read_text()
    assert "Metric vs checkpoint step" in html and "data:image/png;base64," in html
    assert main(["leaderboard", *map(str, folders), "--plot", str(svg)]) == 0
    assert "<svg" in svg.read_text()[:500]
    capsys.readouterr()
    assert main(["leaderboard", str(folders[0]), "--plot", str(png)]) == 2
    assert "fewer than two runs name a step" in capsys.readouterr().err


def test_leaderboard_latex_compiles_shape():
    out = render_leaderboard(board_runs(), "latex")
    assert "\\begin{tabular}" in out and "\\label{tab:anybench-leaderboard}" in out
    assert "\\textless{}script\\textgreater{}" in out
