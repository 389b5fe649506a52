"""Leaderboard ranking: direction, ties, coverage, ground truth, protocols."""

from __future__ import annotations

import pytest

from reports.leaderboard import LeaderboardError, average_ranks, leaderboard
from tests.report_fixtures import (
    ASR_WER,
    SIM,
    WER_TTS,
    WER_TTS_OTHER,
    board_runs,
    metric,
    run,
    task,
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
    assert s2000.ranks == {"asr-set": 2.5, "tts-set": 1.0} and s2000.mean_rank == 1.75
    assert [s.position for s in board.standings] == [1, 2, 3, 4, None]
    # step-4000 is best on the one task it has, but covers fewer tasks: listed after full coverage
    assert board.standings[3].name == "step-4000" and board.standings[3].mean_rank == 1.0
    truth = board.standings[-1]
    assert truth.reference and truth.ranks == {} and truth.coverage == 1
    assert "mean of a system's per-task ranks" in board.notes[0]


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
