"""`anybench demo`: the whole harness offline, on real models, in a few minutes on a CPU."""

from __future__ import annotations


def add_parser(sub) -> None:
    p = sub.add_parser(
        "demo",
        help="offline end-to-end demo (synthesized test set, real ASR and TTS models)",
        description="Synthesizes a small spoken test set with several voices (Piper, espeak-ng, flite), so "
        "transcripts and speakers are known; runs the Whisper tiny.en and PocketSphinx ASR baselines and the "
        "Piper, espeak-ng and flite TTS baselines (plus the ground-truth rows) through the same tasks; runs "
        "the ASR systems on the real LibriVox recordings of Debian's pocketsphinx-testdata as well; scores "
        "WER, speaker similarity and DNSMOS with intervals; prints and writes the comparison tables. "
        "No data, no network.",
    )
    p.add_argument(
        "--out", default="runs/demo", metavar="DIR", help="demo folder (default runs/demo)"
    )
    p.add_argument(
        "--sentences", type=int, default=3, metavar="N", help="sentences per voice (default 3)"
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.set_defaults(func=main)


def main(args) -> int:
    from evals.demo import run_demo

    report = run_demo(args.out, sentences_per_voice=args.sentences, progress=not args.no_progress)
    print(report.table)
    print(f"\nwrote {report.path}")
    return 0
