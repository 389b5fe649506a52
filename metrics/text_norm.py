"""Text normalizers used before WER, registered by name so presets can pin them."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

Normalizer = Callable[[str], str]

NORMALIZERS: dict[str, Callable[[], Normalizer]] = {}
NORMALIZER_PROTOCOLS: dict[str, str] = {}
"""What each normalizer does, in a line (its factory's docstring), pinned into WER presets."""


def normalizer(name: str, protocol: str | None = None):
    def add(factory: Callable[[], Normalizer]) -> Callable[[], Normalizer]:
        NORMALIZERS[name] = factory
        NORMALIZER_PROTOCOLS[name] = protocol or " ".join((factory.__doc__ or name).split())
        return factory

    return add


@functools.cache
def get_normalizer(name: str) -> Normalizer:
    try:
        return NORMALIZERS[name]()
    except KeyError:
        raise KeyError(
            f"unknown text normalizer {name!r} (known: {', '.join(sorted(NORMALIZERS))})"
        ) from None


@normalizer("whisper-english")
def _whisper_english() -> Normalizer:
    """OpenAI Whisper's EnglishTextNormalizer (numbers, spellings, contractions, titles).

    From the maintained `whisper-normalizer` package, which carries Whisper's code and its
    english.json spelling map; tested against the published cases of openai/whisper.
    """
    from whisper_normalizer.english import EnglishTextNormalizer

    return EnglishTextNormalizer()


@normalizer("whisper-basic")
def _whisper_basic() -> Normalizer:
    """Whisper's BasicTextNormalizer: lowercase, drop bracketed spans and symbols."""
    from whisper_normalizer.basic import BasicTextNormalizer

    return BasicTextNormalizer()


@normalizer("whisper-basic-nodiacritics")
def _whisper_basic_nodiacritics() -> Normalizer:
    """Whisper's BasicTextNormalizer(remove_diacritics=True): also drops diacritics (NFKD, marks
    removed; œ->oe, ß->ss, ø->o, ...)."""
    from whisper_normalizer.basic import BasicTextNormalizer

    return BasicTextNormalizer(remove_diacritics=True)


@normalizer("seed-tts-en")
def _seed_tts_en() -> Normalizer:
    """Seed-TTS-eval English (run_wer.py process_one): every character of zhon.hanzi.punctuation
    + string.punctuation except the apostrophe deleted (not spaced), double spaces replaced
    once, lowercased; no number or spelling normalization."""
    import string

    from zhon.hanzi import punctuation

    table = str.maketrans("", "", "".join(c for c in punctuation + string.punctuation if c != "'"))

    def norm(text: str) -> str:
        return text.translate(table).replace("  ", " ").lower()

    return norm


def _oal(version: str) -> Callable[[], Normalizer]:
    def factory() -> Normalizer:
        from metrics.oal_normalizer import OALEnglishNormalizer, versions

        return OALEnglishNormalizer(versions()[version])

    return factory


def _register_oal() -> None:
    from metrics.oal_normalizer import versions

    for name, v in versions().items():
        normalizer(
            f"oal-english-{name}",
            f"Open ASR Leaderboard EnglishTextNormalizer as of {name} ({v.upstream}): Whisper's "
            "English normalizer steps with that version's fillers, contractions, compounds, "
            "names, acronym joining and spelling map",
        )(_oal(name))


_register_oal()


_PUNCT = re.compile(r"[^\w\s']|(?<!\w)'|'(?!\w)")
_SPACE = re.compile(r"\s+")


@normalizer("lower-punct")
def _lower_punct() -> Normalizer:
    """Lowercase, Unicode NFKC, punctuation removed (apostrophes inside words kept), spaces collapsed."""

    def norm(text: str) -> str:
        text = unicodedata.normalize("NFKC", text).lower()
        text = _PUNCT.sub(" ", text)
        return _SPACE.sub(" ", text).strip()

    return norm


@normalizer("none")
def _identity() -> Normalizer:
    """No normalization beyond collapsing whitespace."""
    return lambda text: _SPACE.sub(" ", text).strip()
