"""Text normalizers used before WER, registered by name so presets can pin them."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable

Normalizer = Callable[[str], str]

NORMALIZERS: dict[str, Callable[[], Normalizer]] = {}


def normalizer(name: str):
    def add(factory: Callable[[], Normalizer]) -> Callable[[], Normalizer]:
        NORMALIZERS[name] = factory
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
