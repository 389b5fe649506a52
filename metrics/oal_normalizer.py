"""The Hugging Face Open ASR Leaderboard's English normalizer, one pinned table per version.

The leaderboard scores with a derivative of Whisper's EnglishTextNormalizer whose tables changed
over time (fillers, contractions, compound words, name variants, acronym joining, spellings),
so one model's WER moves between versions. Each version in metrics/data/oal_english.json is
named by the upstream commit date and pins those tables; the steps and their order are the
leaderboard's (normalizer.EnglishTextNormalizer.__call__ since 2026-04-22; versions before have
no compound, name or acronym step). The number normalizer and symbol removal are Whisper's
(whisper_normalizer). WER is then corpus WER over the normalized words: jiwer's Levenshtein
through 2026-06-10, kaldialign's merge_compounds alignment from 2026-06-11 (metrics.wer).
Checked against the upstream code at every pinned commit on 5,253 texts (all equal).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).parent / "data" / "oal_english.json"


@dataclass(frozen=True)
class OALVersion:
    """One version's tables."""

    name: str
    """Upstream commit date, `YYYY-MM-DD` (the preset suffix)."""
    upstream: str
    """`huggingface/open_asr_leaderboard@<commit>` the tables were read from."""
    fillers: str
    """Regex of filler words removed early."""
    replacers: tuple[tuple[str, str], ...]
    """Contraction and title patterns, applied in order."""
    compounds: tuple[tuple[str, str], ...]
    """Patterns joining compounds split by symbol removal ("wi fi" -> "wifi"), in order."""
    names: dict[str, str]
    """Name spelling variants to one form, word by word."""
    acronyms: str | None
    """Acronym joining of runs of single characters: None (no step), "2" (runs of 2+), or
    "a-i-3" (runs of 2+, or 3+ when the run contains "a" or "i")."""
    spelling: dict[str, str]
    """British-to-American (and other) spelling map, word by word."""


@functools.cache
def versions() -> dict[str, OALVersion]:
    """Every pinned version, oldest first."""
    from whisper_normalizer.english import EnglishSpellingNormalizer

    whisper_map = EnglishSpellingNormalizer().mapping
    out = {}
    for name, d in json.loads(DATA.read_text(encoding="utf-8")).items():
        if name.startswith("_"):
            continue
        edits = d["spelling_vs_whisper"]
        spelling = {k: v for k, v in whisper_map.items() if k not in set(edits["remove"])}
        spelling.update(edits["set"])
        out[name] = OALVersion(
            name=name,
            upstream=d["upstream"],
            fillers=d["fillers"],
            replacers=tuple(map(tuple, d["replacers"])),
            compounds=tuple(map(tuple, d["compounds"])),
            names=d["names"],
            acronyms=d["acronyms"],
            spelling=spelling,
        )
    return out


def join_acronyms(text: str, rule: str) -> str:
    """Join runs of single-character alphanumeric words ("b b c" -> "bbc") per `rule`."""
    words, out, i = text.split(), [], 0
    while i < len(words):
        j = i
        while j < len(words) and len(words[j]) == 1 and words[j].isalnum():
            j += 1
        if j == i:
            out.append(words[i])
            i += 1
            continue
        run = words[i:j]
        need = 3 if rule == "a-i-3" and any(w in ("a", "i") for w in run) else 2
        out.extend(["".join(run)] if len(run) >= need else run)
        i = j
    return " ".join(out)


class OALEnglishNormalizer:
    """The leaderboard's English normalizer at one version."""

    def __init__(self, version: OALVersion):
        from whisper_normalizer.english import EnglishNumberNormalizer

        self.v = version
        self.numbers = EnglishNumberNormalizer()
        self.compiled = [(re.compile(p), r) for p, r in version.replacers]
        self.compounds = [(re.compile(p), r) for p, r in version.compounds]

    def __call__(self, s: str) -> str:
        from whisper_normalizer.basic import remove_symbols_and_diacritics

        s = s.lower()
        s = re.sub(r"[<\[][^>\]]*[>\]]", "", s)  # bracketed spans
        s = re.sub(r"\(([^)]+?)\)", "", s)  # parenthesized spans
        s = re.sub(self.v.fillers, "", s)
        s = re.sub(r"\s+'", "'", s)
        for pattern, replacement in self.compiled:
            s = pattern.sub(replacement, s)
        s = re.sub(r"(\d),(\d)", r"\1\2", s)
        s = re.sub(r"\.([^0-9]|$)", r" \1", s)
        s = remove_symbols_and_diacritics(s, keep=".%$¢€£")
        for pattern, replacement in self.compounds:
            s = pattern.sub(replacement, s)
        s = self.numbers(s)
        s = " ".join(self.v.spelling.get(w, w) for w in s.split())
        s = " ".join(self.v.names.get(w, w) for w in s.split())
        if self.v.acronyms is not None:
            s = join_acronyms(s, self.v.acronyms)
        s = re.sub(r"[.$¢€£]([^0-9])", r" \1", s)
        s = re.sub(r"([^0-9])%", r"\1 ", s)
        return re.sub(r"\s+", " ", s)
