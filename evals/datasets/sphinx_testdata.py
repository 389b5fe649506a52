"""Reader of real recorded speech offline: the LibriVox clips of Debian's `pocketsphinx-testdata`.

Five utterances of *Sense and Sensibility*, chapter 1 (LibriVox, read by a volunteer; the same
source LibriSpeech is cut from), 16 kHz mono PCM, 3-7 s, with transcripts in the Sphinx test
layout: `fileids` (one utterance id per line), `transcription` (`<s> words </s> (id)` per line)
and `<id>.wav`. `apt-get install pocketsphinx-testdata` puts them under
/usr/share/pocketsphinx/test/data/librivox, where the task `librivox-asr`
(tasks/configs/librivox-asr.yaml) looks by default.

Transcript policy: the upstream transcript of `...-0920` reads "had he married a more **a**
amiable woman"; the book and the recording say "a more amiable woman" (an extra `a`, an upstream
typo). The task scores against the corrected text (`CORRECTIONS`), applied only where the upstream
line is exactly the known typo, and keeps the upstream line in the sample's `upstream_text`
metadata. `transcripts=upstream` (a reader option) scores against the files as shipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from evals.datasets.common import require_dir, require_file
from evals.datasets.manifest import ManifestError
from evals.types import Audio, Modality, Sample, Text

DEBIAN_DIR = "/usr/share/pocketsphinx/test/data/librivox"
"""Where Debian's `pocketsphinx-testdata` installs the LibriVox clips."""

LAYOUT = """  DIR/fileids          one utterance id per line
  DIR/transcription    `<s> words </s> (id)` per line
  DIR/<id>.wav         16 kHz mono audio"""

HINT = "Install it with `apt-get install pocketsphinx-testdata` (Debian/Ubuntu)."

CORRECTIONS: dict[str, tuple[str, str]] = {
    "sense_and_sensibility_01_austen_64kb-0920": (
        "had he married a more a amiable woman he might have been made still more respectable "
        "than he was",
        "had he married a more amiable woman he might have been made still more respectable "
        "than he was",
    ),
}
"""Utterance id -> (upstream transcript, corrected transcript): known upstream typos."""

LINE = re.compile(r"^\s*(?:<s>)?\s*(?P<text>.*?)\s*(?:</s>)?\s*\((?P<id>[^()\s]+)\)\s*$")


def read_transcription(path: Path) -> dict[str, str]:
    """`<s> words </s> (id)` lines -> {id: words}; a malformed or repeated line names file:line."""
    out: dict[str, str] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        m = LINE.match(line)
        if m is None:
            raise ManifestError(f"{path}:{lineno}: expected `<s> words </s> (id)`, got {line!r}")
        if m["id"] in out:
            raise ManifestError(f"{path}:{lineno}: duplicate id {m['id']!r}")
        out[m["id"]] = " ".join(m["text"].split())
    return out


def corrected(utt: str, text: str) -> str:
    """The corrected transcript where `text` is a known upstream typo, else `text`."""
    upstream, fixed = CORRECTIONS.get(utt, (None, text))
    return fixed if text == upstream else text


def read_sphinx_testdata(path: Path, transcripts: str = "corrected") -> Iterator[Sample]:
    """ASR samples from a Sphinx test folder (fileids, transcription, <id>.wav), in fileids order."""
    if transcripts not in ("corrected", "upstream"):
        raise ValueError(f"transcripts must be 'corrected' or 'upstream', got {transcripts!r}")
    folder = require_dir(path, "pocketsphinx-testdata LibriVox clips", LAYOUT, HINT)
    fileids = require_file(folder / "fileids", "pocketsphinx-testdata fileids", LAYOUT, HINT)
    texts = read_transcription(
        require_file(folder / "transcription", "pocketsphinx-testdata transcription", LAYOUT, HINT)
    )
    for lineno, line in enumerate(fileids.read_text(encoding="utf-8").splitlines(), 1):
        utt = line.strip()
        if not utt:
            continue
        if utt not in texts:
            raise ManifestError(
                f"{fileids}:{lineno}: {utt!r} has no line in {folder / 'transcription'}"
            )
        upstream = texts[utt]
        text = corrected(utt, upstream) if transcripts == "corrected" else upstream
        meta = {"source": "LibriVox via pocketsphinx-testdata"}
        if text != upstream:
            meta["upstream_text"] = upstream
        yield Sample(
            id=utt,
            inputs=(Audio(path=str(folder / f"{utt}.wav"), kind=Modality.SPEECH),),
            references=(Text(text),),
            metadata=meta,
        )
