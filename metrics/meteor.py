"""METEOR 1.5 as coco-caption runs it, and its corpus score from summed sufficient statistics.

The jar (pycocoevalcap's `meteor-1.5.jar -l en -norm`, `-stdio` mode) returns 23 sufficient
statistics per segment for the best-matching reference (`SCORE` lines). coco-caption's corpus
METEOR is the jar's `EVAL` aggregate: the statistics are summed over segments and scored once,
so it is not the mean of segment scores. The jar's sum (MeteorStats.addStats) has one rule that
is not a plain sum: a segment matched entirely in one chunk adds no chunks, so a corpus of
reference-identical captions has no fragmentation penalty. `aggregable` applies that rule to
each segment's row once (chunks 0 for such a segment; its own score is unchanged, its penalty
being 0 either way), after which any multiset of rows sums the way the jar aggregates it.
`meteor_from_stats` is the jar's scoring function (MeteorScorer.computeMetrics, English
parameters) in numpy, checked against the jar's own aggregate on every call and in the tests;
the bootstrap sums resampled aggregable rows and scores them with it.
"""

from __future__ import annotations

import atexit
import subprocess
import tempfile
import threading
from collections.abc import Sequence

import numpy as np

from metrics.ptb import java, pycocoevalcap_dir

# Meteor 1.5 English task defaults (`-l en`): alpha, beta, gamma, delta; module weights for
# exact, stem, synonym, paraphrase matches.
ALPHA, BETA, GAMMA, DELTA = 0.85, 0.20, 0.60, 0.75
WEIGHTS = np.array([1.0, 0.6, 0.8, 0.6])
N_STATS = 23
JAR_ARGS = ("-jar", "-Xmx2G", "meteor-1.5.jar", "-", "-", "-stdio", "-l", "en", "-norm")


def meteor_from_stats(stats: np.ndarray) -> np.ndarray:
    """METEOR of statistics rows [..., 23] (one segment, or summed segments = corpus)."""
    s = np.asarray(stats, dtype=float)
    t_len, r_len, t_func, r_func = s[..., 0], s[..., 1], s[..., 2], s[..., 3]
    stages = s[..., 4:20].reshape(*s.shape[:-1], 4, 4)  # test/ref content, test/ref function
    chunks, t_words, r_words = s[..., 20], s[..., 21], s[..., 22]
    t_total, r_total = totals(s)
    t_wlen = DELTA * (t_len - t_func) + (1.0 - DELTA) * t_func
    r_wlen = DELTA * (r_len - r_func) + (1.0 - DELTA) * r_func
    t_match = (stages[..., 0] * WEIGHTS * DELTA).sum(-1) + (
        stages[..., 2] * WEIGHTS * (1.0 - DELTA)
    ).sum(-1)
    r_match = (stages[..., 1] * WEIGHTS * DELTA).sum(-1) + (
        stages[..., 3] * WEIGHTS * (1.0 - DELTA)
    ).sum(-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = t_match / t_wlen
        recall = r_match / r_wlen
        f_mean = 1.0 / ((1.0 - ALPHA) / precision + ALPHA / recall)
        exact = (t_total == t_len) & (r_total == r_len) & (chunks == 1)
        frag = np.where(exact, 0.0, chunks / ((t_words + r_words) / 2))
        score = f_mean * (1.0 - GAMMA * frag**BETA)
    return np.where(np.isnan(score), 0.0, np.maximum(score, 0.0))


def totals(stats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Total (test, reference) matches of statistics rows, over all stages and word kinds."""
    stages = np.asarray(stats, dtype=float)[..., 4:20].reshape(*np.shape(stats)[:-1], 4, 4)
    return (stages[..., 0] + stages[..., 2]).sum(-1), (stages[..., 1] + stages[..., 3]).sum(-1)


def aggregable(stats: np.ndarray) -> np.ndarray:
    """Segment rows [n, 23] with the jar's aggregation rule applied: a segment matched in full
    (every test and reference word) in one chunk contributes no chunks to a sum."""
    s = np.array(stats, dtype=float)
    t_total, r_total = totals(s)
    whole = (t_total == s[:, 0]) & (r_total == s[:, 1]) & (s[:, 20] == 1)
    s[whole, 20] = 0.0
    return s


def score_line(hypothesis: str, references: Sequence[str]) -> str:
    """A `SCORE` request exactly as pycocoevalcap's Meteor._stat writes it."""
    hyp = hypothesis.replace("|||", "").replace("  ", " ")
    return " ||| ".join(("SCORE", " ||| ".join(references), hyp))


class MeteorJar:
    """A running meteor-1.5.jar in `-stdio` mode; requests are pipelined, one process reused."""

    def __init__(self) -> None:
        self.folder = pycocoevalcap_dir() / "meteor"
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (lives as long as the jar)
        self.proc = subprocess.Popen(
            [java(), *JAR_ARGS],
            cwd=self.folder,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
        )
        self.lock = threading.Lock()

    def _exchange(self, lines: list[str], replies: int) -> list[str]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        stdin, stdout = self.proc.stdin, self.proc.stdout
        error: list[BaseException] = []

        def write() -> None:
            try:
                for line in lines:
                    stdin.write(line.encode() + b"\n")
                stdin.flush()
            except BaseException as exc:  # surfaced below with the jar's stderr
                error.append(exc)

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        out = []
        for _ in range(replies):
            line = stdout.readline()
            if not line:
                break
            out.append(line.decode().strip())
        writer.join()
        if len(out) < replies or error:
            self._stderr.seek(0)
            tail = self._stderr.read().decode(errors="replace")[-800:]
            raise RuntimeError(f"meteor-1.5.jar stopped answering ({self.folder}): {tail}")
        return out

    def stats(self, hyps: Sequence[str], refs: Sequence[Sequence[str]]) -> np.ndarray:
        """Sufficient statistics [n, 23] per (hypothesis, references) segment."""
        with self.lock:
            lines = self._exchange([score_line(h, r) for h, r in zip(hyps, refs)], len(hyps))
        return np.array([[float(x) for x in line.split()] for line in lines]).reshape(-1, N_STATS)

    def evaluate(self, stats: np.ndarray) -> tuple[np.ndarray, float]:
        """The jar's segment scores and corpus aggregate for statistics rows (an `EVAL` line)."""
        text = [" ".join(repr(float(v)) for v in row) for row in stats]
        with self.lock:
            out = self._exchange(["EVAL ||| " + " ||| ".join(text)], len(text) + 1)
        values = np.array([float(v) for v in out])
        return values[:-1], float(values[-1])

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()  # type: ignore[union-attr]
            self.proc.kill()
            self.proc.wait()


_JAR: MeteorJar | None = None


def meteor_jar() -> MeteorJar:
    """The process-wide METEOR jar, started on first use (JVM start and paraphrase table load)."""
    global _JAR
    if _JAR is None or _JAR.proc.poll() is not None:
        _JAR = MeteorJar()
        atexit.register(_JAR.close)
    return _JAR
