"""Caption scoring cost: anybench's COCO caption presets (values + 1,000-resample bootstrap
intervals) against calling pycocoevalcap directly (PTB tokenizer, BLEU, METEOR, ROUGE-L, CIDEr)
on the same generated 5,000 images x 5 references. Prints wall times and CPU times (this
process plus its finished children: the PTB tokenizer and METEOR JVMs) and their ratios; on a
shared machine the CPU times are the steadier comparison.

    .venv/bin/python benchmarks/coco_caption_scoring.py [--images 5000] [--repeats 2]
"""

from __future__ import annotations

import argparse
import gc
import platform
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import evals  # noqa: F401
from evals.registry import METRICS
from evals.scoring import score_metric
from metrics import meteor
from metrics.bootstrap import BootstrapSpec
from metrics.caption_corpus import forget_corpora
from tests.caption_data import make_captions, records_for

PRESETS = ("cider-d@coco", "bleu-1@coco", "bleu-2@coco", "bleu-3@coco", "bleu-4@coco")
PRESETS += ("meteor@coco", "rouge-l@coco")


def ours(records, resamples: int) -> dict:
    forget_corpora()  # cold: tokenize again
    if meteor._JAR is not None:  # cold: start the METEOR JVM again, as pycocoevalcap does
        meteor._JAR.close()
        meteor._JAR = None
    boot = BootstrapSpec(resamples=resamples)
    return {name: score_metric(METRICS.get(name), records, boot)[0].value for name in PRESETS}


def direct(hyps, refs) -> dict:
    from pycocoevalcap.bleu.bleu import Bleu
    from pycocoevalcap.cider.cider import Cider
    from pycocoevalcap.meteor.meteor import Meteor
    from pycocoevalcap.rouge.rouge import Rouge
    from pycocoevalcap.tokenizer.ptbtokenizer import PTBTokenizer

    tok = PTBTokenizer()
    gts = tok.tokenize({i: [{"caption": c} for c in r] for i, r in enumerate(refs)})
    res = tok.tokenize({i: [{"caption": h}] for i, h in enumerate(hyps)})
    out = {}
    for k, v in enumerate(Bleu(4).compute_score(gts, res, verbose=0)[0]):
        out[f"bleu-{k + 1}@coco"] = v
    jar = Meteor()
    out["meteor@coco"] = jar.compute_score(gts, res)[0]
    del jar  # its __del__ stops and reaps the JVM, so the JVM's CPU time is counted
    gc.collect()
    for name, scorer in (("rouge-l@coco", Rouge()), ("cider-d@coco", Cider())):
        out[name] = scorer.compute_score(gts, res)[0]
    return out


def cpu() -> float:
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--images", type=int, default=5000)
    p.add_argument("--repeats", type=int, default=2)
    p.add_argument("--resamples", type=int, default=1000)
    args = p.parse_args()
    hyps, refs = make_captions(args.images, n_refs=5, seed=0, vocab=3000)
    records = records_for(hyps, refs)
    print(f"{platform.processor() or platform.machine()}, {platform.python_version()}, "
          f"{args.images} images x 5 refs, bootstrap {args.resamples}")  # fmt: skip
    wall = {"ours": float("inf"), "direct": float("inf")}
    used = dict(wall)
    for _ in range(args.repeats):
        t, c = time.perf_counter(), cpu()
        theirs = direct(hyps, refs)
        wall["direct"] = min(wall["direct"], time.perf_counter() - t)
        used["direct"] = min(used["direct"], cpu() - c)
        t, c = time.perf_counter(), cpu()
        mine = ours(records, args.resamples)
        meteor._JAR.close()  # reap the JVM so its CPU time is counted
        wall["ours"] = min(wall["ours"], time.perf_counter() - t)
        used["ours"] = min(used["ours"], cpu() - c)
    worst = max(abs(mine[n] / 100 - theirs[n]) for n in PRESETS)
    for key, label in (
        ("direct", "pycocoevalcap direct (values only)"),
        ("ours", f"anybench presets (values + {args.resamples}-resample intervals)"),
    ):
        print(f"{label:<62} wall {wall[key]:6.2f} s   cpu {used[key]:6.2f} s")  # fmt: skip
    print(f"ratio ours/direct: wall {wall['ours'] / wall['direct']:.3f}, "
          f"cpu {used['ours'] / used['direct']:.3f}; largest |difference| {worst:.2e}")  # fmt: skip


if __name__ == "__main__":
    main()
