"""Bootstrap honesty for CIDEr-D: bias of the resampled values and coverage of interval methods.

    .venv/bin/python -m benchmarks.cider_bootstrap [--images 5000] [--test-sets 80]
        [--resamples 200] [--seed 0]

Each simulated test set is `--images` COCO-style caption sets drawn afresh from one generating
distribution (tests.caption_data: shared n-grams across images, 5 references each), so test
sets are independent draws from an infinite population. The estimand is E[CIDEr-D of a test set
of that size]; for test set t it is estimated from the other test sets' values (leave one out),
so it is independent of t. For each test set the script computes the point value and intervals
from one shared set of bootstrap resamples:

- percentile, document frequencies recomputed on every resample (a duplicated image counts as
  two documents, as when pycocoevalcap scores the resampled corpus);
- BCa on the same resamples (bias correction from the resamples, acceleration from a grouped
  jackknife over 50 image groups);
- basic (2 x point - percentiles) on the same resamples;
- fixed document frequencies: the test set's per-image values resampled and averaged.

It prints the bootstrap bias (mean of resamples minus the point value, against the bootstrap
standard error), each method's coverage of the estimand and mean width. Figures and the choice
they support: docs/cider-bootstrap.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from metrics.bootstrap_methods import bca_interval, percentile_interval
from metrics.cider import CiderD
from tests.caption_data import make_captions

CONFIDENCE = 0.95
GROUPS = 50


def tokens(text: str) -> str:
    """Lowercase, punctuation split off: enough for n-gram statistics in a simulation."""
    for mark in ",.!;:\"'":
        text = text.replace(mark, " ")
    return " ".join(text.lower().split())


def test_set(images: int, seed: int) -> CiderD:
    hyps, refs = make_captions(images, seed=seed)
    return CiderD([tokens(h) for h in hyps], [[tokens(r) for r in rs] for rs in refs])


def jackknife_values(cider: CiderD, test: np.ndarray, groups: int) -> np.ndarray:
    """CIDEr-D of the test set with each of `groups` image groups left out."""
    parts = np.array_split(test, groups)
    return np.concatenate(
        [
            cider.corpus_values(np.concatenate(parts[:g] + parts[g + 1 :])[None, :])
            for g in range(groups)
        ]
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--images", type=int, default=5000)
    ap.add_argument("--test-sets", type=int, default=80)
    ap.add_argument("--resamples", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--report-every", type=int, default=10)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    start = time.time()
    rows = []
    for t in range(args.test_sets):
        cider = test_set(args.images, seed=1000 * args.seed + t + 1)
        n = cider.n_images
        point = float(cider.corpus_values(np.arange(n)[None, :])[0])
        idx = rng.integers(0, n, size=(args.resamples, n))
        boot = cider.corpus_values(idx)
        fixed = cider.scores()[idx].mean(axis=1)
        jack = jackknife_values(cider, np.arange(n), GROUPS)
        lo, hi = percentile_interval(boot, CONFIDENCE)
        rows.append(
            {
                "point": point,
                "bias": boot.mean() - point,
                "fixed_bias": fixed.mean() - point,
                "se": boot.std(ddof=1),
                "percentile": (lo, hi),
                "bca": bca_interval(boot, point, jack, CONFIDENCE),
                "basic": (2 * point - hi, 2 * point - lo),
                "fixed-df percentile": percentile_interval(fixed, CONFIDENCE),
            }
        )
        if (t + 1) % args.report_every == 0 or t + 1 == args.test_sets:
            report(rows, args, time.time() - start)


def report(rows: list[dict], args: argparse.Namespace, elapsed: float) -> None:
    """Print the figures over the test sets done so far."""
    methods = ("percentile", "bca", "basic", "fixed-df percentile")
    points = np.array([r["point"] for r in rows])
    bias = np.array([r["bias"] for r in rows])
    se = np.array([r["se"] for r in rows])
    print(
        f"{len(rows)} test sets of {args.images} images x {args.resamples} resamples, "
        f"{elapsed:.0f} s"
    )
    print(
        f"CIDEr-D (x100): mean over test sets {100 * points.mean():.3f}, sampling SD "
        f"{100 * points.std(ddof=1):.3f}, mean bootstrap SE {100 * se.mean():.3f}"
    )
    print(
        f"bootstrap bias, df recomputed (mean of resamples - point): {100 * bias.mean():+.3f} "
        f"(x100; {bias.mean() / se.mean():+.2f} bootstrap SE; range {100 * bias.min():+.3f} "
        f"to {100 * bias.max():+.3f})"
    )
    print(f"bootstrap bias, fixed df: {100 * np.mean([r['fixed_bias'] for r in rows]):+.4f}")
    print("| interval (95%) | coverage of the estimand | mean width (x100) |")
    print("|---|---|---|")
    for name in methods:
        covered = [
            r[name][0] <= np.delete(points, t).mean() <= r[name][1] for t, r in enumerate(rows)
        ]
        width = np.mean([r[name][1] - r[name][0] for r in rows])
        print(f"| {name} | {np.mean(covered):.2f} | {100 * width:.3f} |")

    sys.stdout.flush()


if __name__ == "__main__":
    main()
