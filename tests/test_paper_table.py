"""The AnyGPT paper's published numbers and our runs beside them."""

from __future__ import annotations

import json
from importlib import resources

import pytest

from reports.comparison import compare
from reports.paper import PaperDataError, available_papers, load_paper, parse_paper
from reports.paper_table import paper_grids, paper_records
from tests.report_fixtures import CLIP_X100, WER_TTS, metric, report_runs, run, task


def raw_paper() -> dict:
    return json.loads((resources.files("reports.data") / "anygpt_paper.json").read_text())


def test_bundled_paper_covers_every_result_table_with_sources():
    paper = load_paper("anygpt")
    assert available_papers() == ["anygpt"]
    assert [t.table for t in paper.tables] == [
        "Table 2",
        "Table 3",
        "Table 4",
        "Table 5",
        "Table 6",
        "Table 6",
    ]
    for t in paper.tables:
        assert t.source.startswith("arXiv:2402.12226v5, " + t.table)
        ids = {m.id for m in t.metrics}
        for row in t.rows:
            assert set(row.values) == ids, (t.id, row.system)  # every row has every metric
            assert row.verified
    anygpt_rows = [r for t in paper.tables for r in t.rows if r.role == "anygpt"]
    assert len(anygpt_rows) == 6  # one per evaluation block
    assert sum(len(t.rows) for t in paper.tables) == 24


def test_direction_and_scale_agree_with_the_values():
    for t in load_paper("anygpt").tables:
        for m in t.metrics:
            values = [r.values[m.id] for r in t.rows]
            if m.scale == "cosine":
                assert all(0 <= v <= 1 for v in values), (t.id, m.id)
            else:
                assert all(v > 1 for v in values), (t.id, m.id)


def test_our_runs_beside_the_paper_with_flags():
    c = compare(report_runs())
    grids = {g.label: g for g in paper_grids(load_paper("anygpt"), c)}
    tts = grids["paper-tts"]
    rows = {r[0].text: r for r in tts.rows}
    # AnyGPT matched by name, its reproduction beside the official 8.5
    anygpt = rows["AnyGPT"]
    assert (
        anygpt[2].text == "AnyGPT base"
        and anygpt[3].value == 8.5
        and anygpt[4].value == pytest.approx(9.14)
    )
    # the reference adapter reproduces the ground-truth row
    assert rows["Ground Truth"][2].text == "Ground truth"
    flags = " ".join(f.text for f in tts.footnotes)
    assert "the paper used Whisper medium; ours: openai/whisper-tiny.en" in flags
    assert "WavLM-TDNN" in flags and "ours: resemblyzer GE2E" in flags
    asr_flags = " ".join(f.text for f in grids["paper-asr"].footnotes)
    assert "subset: ours used seeded subsets of 100 samples" in asr_flags
    assert "the paper's protocol is wer@whisper-norm" in asr_flags
    # tables nobody reproduced say how to map a task
    assert any("--paper-task TASK=caption" in n for n in grids["paper-caption"].notes)


def test_scale_difference_is_flagged():
    runs = [run("AnyGPT", "anygpt:x", [task("coco-t2i", [metric(CLIP_X100, 61.0, 60.0, 62.0)])])]
    (grid,) = [
        g for g in paper_grids(load_paper("anygpt"), compare(runs)) if g.label == "paper-t2i"
    ]
    (note,) = grid.footnotes
    assert "scale: ours is x100, the paper prints cosine" in note.text
    assert "CLIP scorer: the paper used CLIP ViT-L" in note.text  # ours is ViT-B-32


def test_explicit_matches_and_task_mapping():
    runs = [
        run("my ckpt", "anygpt-like:x", [task("manifest-tts", [metric(WER_TTS, 7.0, 6.0, 8.0)])])
    ]
    records = paper_records(
        load_paper("anygpt"), compare(runs), {"my ckpt": "USLM"}, {"manifest-tts": "tts"}
    )
    (uslm,) = [r for r in records if r["system"] == "USLM" and r["metric"] == "WER"]
    assert uslm["our_run"] == "my ckpt" and uslm["reproduced"] == 7.0 and uslm["official"] == 6.5
    assert "dataset: ours is task manifest-tts, the paper's is VCTK" in uslm["protocol_flags"]


def test_unverified_rows_are_marked(tmp_path):
    data = raw_paper()
    data["tables"][0]["rows"][0]["verified"] = False
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data))
    paper = load_paper(str(path))
    (grid, *_) = paper_grids(paper, compare(report_runs()))
    assert any(
        n.startswith("Not verified against the paper's text: Flamingo (9B)") for n in grid.notes
    )


def test_malformed_paper_file_names_the_file(tmp_path):
    data = raw_paper()
    data["tables"][0]["rows"][0]["values"] = {"bleu": 1.0}
    path = tmp_path / "bad_paper.json"
    path.write_text(json.dumps(data))
    with pytest.raises(PaperDataError, match=f"{path}: malformed paper file.*unknown metrics"):
        load_paper(str(path))
    with pytest.raises(PaperDataError, match="unknown paper 'nope'; bundled: anygpt"):
        load_paper("nope")
    with pytest.raises(KeyError):
        parse_paper({"tables": []})


def paper_grid_of(runs, label):
    (grid,) = [g for g in paper_grids(load_paper("anygpt"), compare(runs)) if g.label == label]
    return grid


def registered(name, value):
    from evals.registry import METRICS

    return metric(METRICS.get(name).preset, value, value - 0.01, value + 0.01)


def test_text_to_image_uses_the_headline_preset_and_shows_both_readings():
    both = [
        run("AnyGPT", "anygpt:x", [task("coco-t2i", [
            registered("clip_i@openai-vit-l-14", 0.64),
            registered("clip_t@torchmetrics-openai-vit-l-14", 26.0),
        ])]),
    ]  # fmt: skip
    grid = paper_grid_of(both, "paper-t2i")
    names = [h.text for h in grid.headers if h.text.startswith("reproduced")]
    assert names == [
        "reproduced: clip_i@openai-vit-l-14",
        "reproduced: clip_t@torchmetrics-openai-vit-l-14",
    ]
    anygpt = next(r for r in grid.rows if r[0].text == "AnyGPT")
    assert anygpt[3].value == 0.65 and anygpt[4].value == 0.64 and anygpt[5].value == 26.0
    notes = {f.metric: f.text for f in grid.footnotes}
    assert "admits the text-image reading" in notes["clip_i@openai-vit-l-14"]
    assert "the task's headline preset is clip_i" in notes["clip_t@torchmetrics-openai-vit-l-14"]
    assert "scale: ours is x100" in notes["clip_t@torchmetrics-openai-vit-l-14"]
    only_i = [
        run("AnyGPT", "anygpt:x", [task("coco-t2i", [registered("clip_i@openai-vit-l-14", 0.6)])])
    ]
    grid = paper_grid_of(only_i, "paper-t2i")
    assert [h.text for h in grid.headers if h.text.startswith("reproduced")] == ["reproduced"]


def test_asr_flags_the_unstated_normalizer():
    runs = [
        run("AnyGPT", "anygpt:x", [task("librispeech-asr", [registered("wer@whisper-norm", 8.0)])])
    ]
    (note,) = paper_grid_of(runs, "paper-asr").footnotes
    assert "the paper does not state its ASR text normalizer" in note.text
    assert "text_normalization" in note.text and "ours: whisper-english" in note.text


def test_speaker_similarity_prefers_the_wavlm_preset_when_scored():
    from tests.report_fixtures import preset

    wavlm = preset("sim@wavlm-large-tdnn", "sim", True, "cosine", "mean",
                   embedding="WavLM-large + ECAPA-TDNN (UniAudio wavlm_large_finetune.pth)")  # fmt: skip
    resemblyzer = registered("sim@resemblyzer", 0.8)
    today = [run("AnyGPT", "anygpt:x", [task("vctk-tts-paper", [resemblyzer])])]
    grid = paper_grid_of(today, "paper-tts")
    flags = " ".join(f.text for f in grid.footnotes)
    assert "preset: ours is sim@resemblyzer; the paper's protocol is sim@wavlm-large-tdnn" in flags
    scored = [run("AnyGPT", "anygpt:x", [task("vctk-tts-paper", [resemblyzer,
                                                                 metric(wavlm, 0.55, 0.5, 0.6)])])]  # fmt: skip
    grid = paper_grid_of(scored, "paper-tts")
    reproduced = [h for h in grid.headers if h.group.startswith("SIM") and h.text != "official"]
    assert [h.text for h in reproduced] == ["reproduced"]
    anygpt = next(r for r in grid.rows if r[0].text == "AnyGPT")
    assert anygpt[-1].value == 0.55
    assert not any("sim@wavlm-large-tdnn vs the paper" in f.text for f in grid.footnotes)
