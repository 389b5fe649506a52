"""Scoring speed: our metric presets against calling jiwer and pycocoevalcap directly.

    python -m benchmarks.scoring_speed [--rounds 3]

WER: 2,620 synthetic utterances (the size of LibriSpeech test-clean), references of 8-35 words
with numbers, contractions and punctuation, hypotheses with about 10% word edits. Direct: Whisper's
English normalizer on both sides, then one `jiwer.wer` call over the lists. Ours: the
`wer@whisper-norm` preset through the metric registry on prediction records (per-sample
statistics, corpus reduce); its bootstrap interval is timed on its own.

Captions: 5,000 images x 5 synthetic references and one hypothesis each. Direct: the PTB
tokenizer, then BLEU-4, METEOR, ROUGE-L and CIDEr from pycocoevalcap. Ours: every caption preset
in the metric registry that can run here (SPICE only with its CoreNLP jars).

Both sides of a comparison run in this process, alternating, on the same data; medians of rounds.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable

import evals  # noqa: F401  (import hook before pycocoevalcap/transformers)

N_UTTERANCES = 2620
N_IMAGES = 5000
CAPTION_FAMILIES = ("bleu", "meteor", "rouge-l", "cider-d", "spice")

WORDS = [
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "he",
    "was",
    "that",
    "it",
    "his",
    "her",
    "with",
    "as",
    "for",
    "had",
    "you",
    "not",
    "be",
    "on",
    "at",
    "by",
    "which",
    "this",
    "old",
    "man",
    "said",
    "little",
    "she",
    "could",
    "when",
    "there",
    "all",
    "some",
    "into",
    "one",
    "them",
    "more",
    "what",
    "time",
    "would",
    "so",
    "came",
    "upon",
    "only",
    "before",
    "great",
    "house",
    "over",
    "back",
    "eyes",
    "water",
    "room",
    "light",
    "voice",
    "night",
    "again",
    "might",
    "mr",
    "mrs",
    "doctor",
    "saint",
    "twenty",
    "forty",
    "hundred",
    "thousand",
    "1890",
    "3",
    "17",
    "it's",
    "don't",
    "i'll",
    "we've",
    "colour",
    "neighbour",
    "theatre",
    "travelled",
    "honour",
    "grey",
    "o'clock",
    "dr",
    "st",
    "miles",
    "pounds",
]
CAPTION = {
    "det": ["a", "an", "the", "two", "three", "some"],
    "adj": [
        "small",
        "large",
        "young",
        "old",
        "red",
        "blue",
        "white",
        "black",
        "wooden",
        "busy",
        "empty",
    ],
    "noun": [
        "man",
        "woman",
        "dog",
        "cat",
        "bus",
        "train",
        "plate",
        "pizza",
        "table",
        "street",
        "kitchen",
        "horse",
        "beach",
        "bike",
    ],
    "verb": ["sitting", "standing", "riding", "holding", "eating", "walking", "parked", "lying"],
    "prep": ["on", "in", "next", "to", "near", "under", "with", "beside"],
}


def utterances(rng: random.Random) -> list[tuple[str, str]]:
    pairs = []
    for _ in range(N_UTTERANCES):
        ref = [rng.choice(WORDS) for _ in range(rng.randint(8, 35))]
        hyp = []
        for w in ref:
            roll = rng.random()
            if roll < 0.04:
                continue  # deletion
            hyp.append(rng.choice(WORDS) if roll < 0.08 else w)  # substitution
            if roll > 0.98:
                hyp.append(rng.choice(WORDS))  # insertion
        text = " ".join(ref).capitalize() + rng.choice(".!?")
        pairs.append((text, " ".join(hyp).upper() if rng.random() < 0.1 else " ".join(hyp)))
    return pairs


def caption(rng: random.Random) -> str:
    c = CAPTION
    parts = [rng.choice(c["det"]), rng.choice(c["adj"]), rng.choice(c["noun"])]
    parts += [rng.choice(c["verb"]), rng.choice(c["prep"]), rng.choice(c["det"])]
    parts += [rng.choice(c["noun"])]
    return " ".join(parts).capitalize() + "."


def captions(rng: random.Random) -> list[tuple[list[str], str]]:
    return [([caption(rng) for _ in range(5)], caption(rng)) for _ in range(N_IMAGES)]


def seconds(fn: Callable[[], object]) -> tuple[float, object]:
    t0 = time.perf_counter()
    value = fn()
    return time.perf_counter() - t0, value


def records(rows, make_inputs):
    """Prediction records as the run store gives them to metrics."""
    from evals.records import PredictionRecord
    from evals.types import Decoding, Modality, Response, Sample, Text

    out = []
    for i, (refs, hyp) in enumerate(rows):
        refs = refs if isinstance(refs, list) else [refs]
        sample = Sample(f"s{i:05d}", make_inputs(i), tuple(Text(r) for r in refs))
        out.append(
            PredictionRecord(
                "bench", sample, Modality.TEXT, Decoding(), Response(sample.id, Text(hyp), text=hyp)
            )
        )
    return out


def ours(preset: str, recs) -> float:
    from evals.registry import METRICS
    from metrics.base import stack

    metric = METRICS.get(preset)
    return metric.reduce(stack(metric.score(recs)))


def wer_half(rounds: int) -> list[str]:
    import jiwer

    from evals.types import Audio
    from metrics.bootstrap import BootstrapSpec, interval
    from metrics.text_norm import get_normalizer

    pairs = utterances(random.Random(0))
    recs = records(pairs, lambda i: (Audio(path=f"/data/{i}.flac"),))
    norm = get_normalizer("whisper-english")

    def direct() -> float:
        refs = [norm(r) for r, _ in pairs]
        hyps = [norm(h) for _, h in pairs]
        return 100 * jiwer.wer(refs, hyps)

    times = {"direct": [], "ours": []}
    values = {}
    for _ in range(rounds):
        t, values["direct"] = seconds(direct)
        times["direct"].append(t)
        t, values["ours"] = seconds(lambda: ours("wer@whisper-norm", recs))
        times["ours"].append(t)
    assert abs(values["direct"] - values["ours"]) < 1e-9, values
    from evals.registry import METRICS
    from metrics.base import stack

    metric = METRICS.get("wer@whisper-norm")
    stats = stack(metric.score(recs))
    boot, _ = seconds(lambda: interval(metric, stats, BootstrapSpec()))
    d, o = statistics.median(times["direct"]), statistics.median(times["ours"])
    return [
        f"| WER, {N_UTTERANCES} utterances (whisper-norm, corpus) | jiwer + normalizer: {d:.2f} s "
        f"| `wer@whisper-norm`: {o:.2f} s | {100 * (o / d - 1):+.1f}% | {values['ours']:.3f} = {values['direct']:.3f} |",
        f"| + bootstrap interval, 1000 resamples | - | {boot:.2f} s | | |",
    ]


def caption_half(rounds: int) -> list[str]:
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.meteor.meteor import Meteor
    from pycocoevalcap.rouge.rouge import Rouge
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    from evals.registry import METRICS
    from evals.types import Image
    from metrics.caption_corpus import forget_corpora

    rows = captions(random.Random(1))
    gts = {i: [{"caption": c} for c in refs] for i, (refs, _) in enumerate(rows)}
    res = {i: [{"caption": hyp}] for i, (_, hyp) in enumerate(rows)}
    scorers = {"bleu": Bleu(4), "meteor": Meteor(), "rouge": Rouge(), "cider": Cider()}

    def tokenize():
        tok = PTBTokenizer()
        return tok.tokenize(gts), tok.tokenize(res)

    direct: dict[str, list[float]] = {"tokenize": [], **{k: [] for k in scorers}}
    presets = [
        name
        for name in METRICS.names()
        if getattr(getattr(METRICS.get(name), "preset", None), "metric", "") in CAPTION_FAMILIES
        and available(name)
    ]
    recs = records(rows, lambda i: (Image(path=f"/data/{i:012d}.jpg"),))

    def one_pass() -> float:
        # a fresh scoring pass: the corpus is tokenized once and shared by the presets, as in
        # `anybench score`; cleared first so no round reuses an earlier round's work
        forget_corpora()
        return sum(ours(p, recs) for p in presets)

    mine: list[float] = []
    for _ in range(rounds):
        t, (g, r) = seconds(tokenize)
        direct["tokenize"].append(t)
        for name, scorer in scorers.items():
            direct[name].append(seconds(lambda s=scorer, g=g, r=r: s.compute_score(g, r))[0])
        mine.append(seconds(one_pass)[0])
    med = {k: statistics.median(v) for k, v in direct.items()}
    lines = [
        f"| captions, {N_IMAGES} x 5: PTB tokenizer | {med['tokenize']:.2f} s | | | |",
        *(f"| {k} (pycocoevalcap) | {med[k]:.2f} s | | | |" for k in scorers),
    ]
    direct_total = sum(med.values())
    total = statistics.median(mine)
    lines.append(
        f"| {', '.join(f'`{p}`' for p in presets)} (one scoring pass) | tokenize + 4 scorers: "
        f"{direct_total:.2f} s | {total:.2f} s | {100 * (total / direct_total - 1):+.1f}% | |"
    )
    return lines


def available(preset: str) -> bool:
    """Presets whose scorer is on this machine (SPICE needs CoreNLP jars that are not)."""
    from evals.registry import METRICS

    return METRICS.get(preset).preset.metric != "spice" or _spice_available()


def _spice_available() -> bool:
    from metrics.base import MetricUnavailable
    from metrics.spice import spice_folder

    try:
        spice_folder()
        return True
    except MetricUnavailable:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    import metrics  # noqa: F401  (registers presets)
    from benchmarks import machine

    lines = wer_half(args.rounds) + caption_half(args.rounds)
    print(f"\n## Scoring speed ({args.rounds} rounds, medians)\n")
    print(machine.block() + "\n")
    print("| what | direct | ours | extra | values |")
    print("|---|---|---|---|---|")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
