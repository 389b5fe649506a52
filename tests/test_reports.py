"""Comparison tables, frames, footnotes, protocol splitting and bad results files."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace

import pandas as pd
import pytest
from PIL import Image

from evals.cli.main import main
from evals.results import ResultsError, to_json
from reports import frame, integrity_frame, wide_frame
from reports.columns import MixedProtocolError
from reports.comparison import compare, main_grid
from reports.plots import comparison_plots
from reports.render_latex import escape as latex_escape
from reports.render_markdown import escape as md_escape
from reports.report import FORMATS, ReportOptions, render
from reports.runs import load_runs
from tests.report_fixtures import (
    ASR_WER,
    SIM,
    WER_TTS,
    metric,
    report_runs,
    run,
    task,
    write_run,
)


def cli(capsys, *args):
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def two_system_runs(wer_a, wer_b, sim_a, sim_b):
    return [
        run("A", "a", [task("t", [metric(WER_TTS, wer_a), metric(SIM, sim_a)])], run_id="a"),
        run("B", "b", [task("t", [metric(WER_TTS, wer_b), metric(SIM, sim_b)])], run_id="b"),
    ]


def test_best_is_direction_aware():
    df = frame(two_system_runs(5.0, 7.0, 0.6, 0.8))
    best = {(r.system, r.metric) for r in df.itertuples() if r.best}
    assert best == {("A", WER_TTS.name), ("B", SIM.name)}  # lower WER, higher SIM


def test_ties_are_all_best_and_ground_truth_is_never_best():
    runs = two_system_runs(5.0, 5.0, 0.7, 0.7)
    truth = run("Truth", "reference", [task("t", [metric(WER_TTS, 0.0), metric(SIM, 1.0)])])
    df = frame([*runs, truth])
    assert set(df[df.best].system) == {"A", "B"}
    assert not df[df.system == "Truth"].best.any() and df[df.system == "Truth"].reference.all()


def test_no_best_mark_with_a_single_system():
    assert not frame(two_system_runs(5.0, 7.0, 0.6, 0.8)[:1]).best.any()


def test_mixed_protocols_split_with_the_difference_named():
    c = compare(report_runs())
    wer_cols = [col for col in c.columns if col.metric == WER_TTS.name]
    assert len(wer_cols) == 2 and len({col.protocol_hash for col in wer_cols}) == 2
    assert all(col.split for col in wer_cols)
    (note,) = c.mixed
    assert "settings.scorer_revision" in note.reason() and "Piper joe" in note.reason()
    grid = main_grid(c)
    assert any("Split column" in n and "scorer_revision" in n for n in grid.notes)
    df = frame(report_runs())
    # one column never holds two hashes
    assert (df.groupby("column").protocol_hash.nunique() == 1).all()


def test_mixed_protocols_refused_with_the_reason():
    with pytest.raises(MixedProtocolError, match="scorer_revision"):
        compare(report_runs(), mixed="refuse")


def test_frame_matches_the_table():
    runs = report_runs()
    df = frame(runs)
    assert list(df.columns[:4]) == ["system", "task", "metric", "value"]
    row = df[(df.system == "AnyGPT base") & (df.metric == SIM.name)].iloc[0]
    assert row.value == pytest.approx(0.7123) and row.ci_low == pytest.approx(0.6911)
    assert row.best and not row.reference
    unavailable = df[df.unavailable.notna()]
    assert list(unavailable.metric) == ["dnsmos@fixture"] and unavailable.value.isna().all()
    wide = wide_frame(runs)
    assert wide.loc["Whisper <b>x</b> & co_%", "librispeech-asr/wer@fixture-norm"] == pytest.approx(
        5.21
    )
    counts = integrity_frame(runs).set_index(["system", "task"])
    assert counts.loc[("AnyGPT base", "vctk-tts"), "failed"] == 2
    assert counts.loc[("AnyGPT base", "vctk-tts"), "empty"] == 1


def test_csv_is_the_frame():
    runs = report_runs()
    parsed = pd.read_csv(io.StringIO(render(runs, "csv")))
    expected = frame(runs)
    assert list(parsed.columns) == list(expected.columns)
    assert parsed.value.tolist() == pytest.approx(expected.value.tolist(), nan_ok=True)


def test_footnotes_come_from_the_protocol():
    text = render(report_runs(), "md")
    note = next(line for line in text.splitlines() if line.startswith("(b) " + WER_TTS.name))
    for key, value in WER_TTS.settings.items():
        assert f"{key}: {value}" in note
    assert "scale: percent" in note and "aggregation: corpus" in note
    assert WER_TTS.protocol_hash() in note and '"model": "tiny.en"' in note  # scorer loaded
    # headers refer to their notes
    assert f"{WER_TTS.name} #{WER_TTS.protocol_hash()[:6]} ↓ (b)" in text


def test_registered_presets_bring_their_description():
    from evals.registry import METRICS

    p = METRICS.get("wer@whisper-norm").preset
    runs = [run("A", "a", [task("t", [metric(p, 3.0)])])]
    assert p.description in render(runs, "md")


def test_integrity_counts_and_failure_examples_are_reported():
    text = render(report_runs(), "md")
    assert "vctk-tts: 97/100 ok (failed 2, empty 1)" in text
    assert "p225\\_003" not in text and "p225_003: failed (generate)" in text


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a & b", r"a \& b"),
        ("50% _x_ #1 $2", r"50\% \_x\_ \#1 \$2"),
        ("{a}~^\\", r"\{a\}\textasciitilde{}\textasciicircum{}\textbackslash{}"),
        ("<b>", r"\textless{}b\textgreater{}"),
    ],
)
def test_latex_escaping(raw, escaped):
    assert latex_escape(raw) == escaped


def test_markdown_escaping_shows_markup_as_text():
    assert md_escape("<script>x</script> | *y*") == r"&lt;script&gt;x&lt;/script&gt; \| \*y\*"


def test_latex_table_is_booktabs_with_bold_best_and_small_intervals():
    tex = render(report_runs(), "latex")
    for piece in (r"\toprule", r"\midrule", r"\bottomrule", r"\cmidrule(lr){3-6}"):
        assert piece in tex
    assert r"\textbf{5.2}\,{\scriptsize [4.1, 6.3]}" in tex
    assert "<" not in tex.split(r"\begin{table}")[1]  # every < escaped


def test_plots_are_png_with_one_per_column():
    c = compare(report_runs())
    plots = comparison_plots(c)
    assert len(plots) == len([col for col in c.columns if col.metric != "dnsmos@fixture"])
    for caption, png in plots:
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG" and image.size[0] > 300
        assert caption
    html = render(report_runs(), "html")
    assert html.count("data:image/png;base64,") == len(plots)
    assert "Content-Security-Policy" in html and "http://" not in html and "https://" not in html


def test_every_format_renders_the_same_runs():
    runs = report_runs()
    for name in FORMATS:
        text = render(runs, name, ReportOptions(plots=False))
        assert "AnyGPT base" in text


# --- bad input: corrupt or partial results files name the file -------------------------------


def test_corrupt_results_file_names_the_file(tmp_path, capsys):
    bad = tmp_path / "run-a"
    bad.mkdir()
    (bad / "results.json").write_text('{"schema_version": 1, "tasks": {')
    code, _, err = cli(capsys, "report", str(bad))
    assert code == 2 and f"{bad}/results.json: corrupt JSON" in err and "Traceback" not in err


def test_partial_results_file_names_the_file(tmp_path, capsys):
    good = report_runs()[0]
    data = to_json(good)
    del data["tasks"]["librispeech-asr"]["metrics"]["wer@fixture-norm"]["protocol_hash"]
    folder = tmp_path / "partial"
    folder.mkdir()
    (folder / "results.json").write_text(json.dumps(data))
    code, _, err = cli(capsys, "report", str(folder))
    assert code == 2 and f"{folder}/results.json: not a valid anybench results file" in err


def test_wrong_value_type_names_file_and_field(tmp_path):
    data = to_json(report_runs()[0])
    data["tasks"]["librispeech-asr"]["metrics"]["wer@fixture-norm"]["value"] = "5.2%"
    (tmp_path / "results.json").write_text(json.dumps(data))
    with pytest.raises(
        ResultsError,
        match=re.escape("tasks.librispeech-asr.metrics.wer@fixture-norm.value is '5.2%'"),
    ):
        load_runs([tmp_path])


def test_the_same_run_twice_is_refused(tmp_path):
    write_run(tmp_path / "a", report_runs()[0], {})
    with pytest.raises(ResultsError, match="given twice"):
        load_runs([tmp_path / "a", tmp_path / "a" / "results.json"])


def test_duplicate_labels_are_told_apart():
    a = run("Same", "x", [task("t", [metric(ASR_WER, 1.0)])], run_id="r1")
    b = replace(a, run_id="r2")
    assert set(frame([a, b]).system) == {"Same (r1)", "Same (r2)"}


# --- CLI --------------------------------------------------------------------------------------


@pytest.mark.parametrize("sub", ["report", "leaderboard", "gate"])
def test_subcommand_help(sub, capsys):
    with pytest.raises(SystemExit) as exit_:
        main([sub, "--help"])
    assert exit_.value.code == 0 and f"usage: anybench {sub}" in capsys.readouterr().out


def test_report_all_formats_into_a_folder(tmp_path, capsys):
    folders = [write_run(tmp_path / r.run_id, r, {}) for r in report_runs()]
    out = tmp_path / "out"
    args = [
        "report",
        *map(str, folders),
        "--format",
        "all",
        "--out-dir",
        str(out),
        "--paper",
        "anygpt",
    ]
    code, _, _ = cli(capsys, *args)
    assert code == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "report.csv",
        "report.html",
        "report.md",
        "report.tex",
    ]
    assert "anygpt Table 5" in (out / "report.md").read_text()
    assert (out / "report.csv").read_text().startswith("paper,table,")


def test_report_refuses_mixed_protocols_on_request(tmp_path, capsys):
    folders = [write_run(tmp_path / r.run_id, r, {}) for r in report_runs()]
    code, _, err = cli(capsys, "report", *map(str, folders), "--mixed", "refuse")
    assert code == 2 and "refusing to put values of different protocols" in err
    assert "scorer_revision" in err


def test_several_formats_need_a_folder(tmp_path, capsys):
    folder = write_run(tmp_path / "a", report_runs()[0], {})
    code, _, err = cli(capsys, "report", str(folder), "--format", "md,csv")
    assert code == 2 and "several formats need --out-dir" in err
    code, _, err = cli(capsys, "report", str(folder), "--format", "pdf")
    assert code == 2 and "unknown format pdf; choose from md, latex, csv, html or all" in err
