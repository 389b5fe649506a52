"""PTB tokenization as coco-caption does it, through the Stanford PTBTokenizer jar in pycocoevalcap.

Same command and post-processing as `pycocoevalcap.tokenizer.ptbtokenizer.PTBTokenizer`
(`-preserveLines -lowerCase`, then its punctuation tokens removed), with two differences that
do not change tokens: the temporary input file goes to the system temp folder (pycocoevalcap
writes next to its jar, so site-packages must be writable there), and every line-break character
inside a caption becomes a space (pycocoevalcap replaces only `\\n`; a `\\r` would shift every
later caption by a line there). One JVM call tokenizes a whole corpus.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from metrics.base import MetricUnavailable

JAVA_HINT = (
    "install a Java runtime (Debian/Ubuntu: apt-get install default-jre-headless), "
    "or put `java` on PATH"
)
_LINE_BREAKS = re.compile("[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def java() -> str:
    """Path of the `java` executable, or MetricUnavailable saying how to install it."""
    exe = shutil.which("java")
    if exe is None:
        raise MetricUnavailable(f"the COCO caption metrics run Java programs; {JAVA_HINT}")
    return exe


def pycocoevalcap_dir() -> Path:
    try:
        import pycocoevalcap
    except ImportError as exc:
        raise MetricUnavailable(
            "pycocoevalcap is not installed (pip install 'anybench[vision]')"
        ) from exc
    return Path(next(iter(pycocoevalcap.__path__)))  # a namespace package: no __file__


def tokenize(captions: Sequence[str]) -> list[str]:
    """Tokenized, lowercased captions without punctuation tokens, one per input, in order."""
    if not captions:
        return []
    from pycocoevalcap.tokenizer import ptbtokenizer as ptb

    jar = pycocoevalcap_dir() / "tokenizer" / ptb.STANFORD_CORENLP_3_4_1_JAR
    lines = [_LINE_BREAKS.sub(" ", c) for c in captions]
    fd, tmp = tempfile.mkstemp(prefix="anybench-ptb-", suffix=".txt")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write("\n".join(lines).encode())
        cmd = [java(), "-cp", str(jar), "edu.stanford.nlp.process.PTBTokenizer"]
        proc = subprocess.run(
            [*cmd, "-preserveLines", "-lowerCase", tmp], capture_output=True, check=False
        )
    finally:
        Path(tmp).unlink(missing_ok=True)
    out = proc.stdout.decode().split("\n")
    if proc.returncode != 0 or len(out) < len(lines):
        raise RuntimeError(
            f"PTBTokenizer ({jar}) failed (exit {proc.returncode}, {len(out)} lines for "
            f"{len(lines)} captions): {proc.stderr.decode(errors='replace')[-500:]}"
        )
    drop = set(ptb.PUNCTUATIONS)
    return [
        " ".join(w for w in line.rstrip().split(" ") if w not in drop) for line in out[: len(lines)]
    ]
