"""Fixtures for the AnyGPT adapter tests: golden JSON files and a tiny AnyGPT tokenizer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from evals.adapters.anygpt.vocab import AnyGPTVocab
from tests.anygpt.tiny_tokenizer import tiny_anygpt_tokenizer


def _load(folder: Path, name: str) -> dict[str, Any]:
    return json.loads((folder / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def prompts_golden(anygpt_fixtures: Path) -> dict[str, Any]:
    return _load(anygpt_fixtures, "prompts.json")


@pytest.fixture(scope="session")
def parsing_golden(anygpt_fixtures: Path) -> dict[str, Any]:
    return _load(anygpt_fixtures, "output_parsing.json")


@pytest.fixture(scope="session")
def data_golden(anygpt_fixtures: Path) -> dict[str, Any]:
    return _load(anygpt_fixtures, "data_samples.json")


@pytest.fixture(scope="session")
def tokenizer():
    """Tiny Llama tokenizer with AnyGPT's stage-1 tokens; tests must not modify it."""
    return tiny_anygpt_tokenizer()


@pytest.fixture(scope="session")
def vocab(tokenizer) -> AnyGPTVocab:
    return AnyGPTVocab.from_tokenizer(tokenizer)


@pytest.fixture(scope="session")
def tiny_anygpt_parts(tmp_path_factory):
    """The tiny AnyGPT's modality components (speech modules, Encodec 32 kHz, SEED-2, unCLIP)
    in their released folder layouts, without the LLM (which takes about 100 s to train)."""
    from tests.anygpt.tiny_anygpt import build_tiny_parts

    return build_tiny_parts(tmp_path_factory.mktemp("tiny-anygpt"))


@pytest.fixture(scope="session")
def tiny_anygpt(tiny_anygpt_parts, tmp_path_factory):
    """A tiny AnyGPT: the trained LLM and every modality component."""
    from tests.anygpt.tiny_anygpt import save_tiny_llm

    return {"llm": save_tiny_llm(tmp_path_factory.mktemp("tiny-llm")), **tiny_anygpt_parts}
