"""Instructions for AnyGPT's base-model prompts: one fixed default per direction, or the
reference pools read from a user's AnyGPT checkout and drawn from with a seed.

The reference draws `random.choice(pool)` from Python's unseeded global RNG for every prompt.
We ship only the first entry of each pool, so default prompts are reproducible; the full pools
stay in the user's checkout and are read at run time.
"""

from __future__ import annotations

import ast
import random
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from evals.types import Modality

Direction = tuple[Modality, Modality]
"""(input modality, output modality); one side is always text."""

DEFAULT_INSTRUCTIONS: Mapping[Direction, str] = {
    (Modality.IMAGE, Modality.TEXT): "Describe the scene in this picture.",
    (Modality.SPEECH, Modality.TEXT): "Analyze the spoken words and transcribe them accurately.",
    (Modality.MUSIC, Modality.TEXT): "Listen to the music and describe the mood it evokes.",
    (Modality.TEXT, Modality.IMAGE): "What image comes to mind from this text?",
    (
        Modality.TEXT,
        Modality.SPEECH,
    ): "Would you kindly read this text out loud so that I can hear it?",
    (
        Modality.TEXT,
        Modality.MUSIC,
    ): "Create a musical piece that captures the essence of this caption.",
}
"""The first entry of each reference pool."""

POOL_FILES: Mapping[str, str] = {
    "other2text_instructions": "anygpt/src/m_utils/other2text_instructions.py",
    "text2other_instructions": "anygpt/src/m_utils/text2other_instructions.py",
}
"""Where an OpenMOSS/AnyGPT checkout keeps the pools: each file assigns one dict literal,
named like the key, mapping a modality name to its list of instructions."""


@dataclass(frozen=True)
class Instruction:
    """The instruction a prompt used, and where it came from."""

    text: str
    """The instruction itself."""
    source: str
    """`default` (shipped), the pool file it was drawn from, or the chat task prompt's name."""
    index: int | None
    """Its position in the reference pool (the default is entry 0); None when not from a pool."""


@dataclass(frozen=True)
class InstructionPools:
    """The reference instruction pools, in order with duplicates kept, as the reference draws."""

    pools: Mapping[Direction, tuple[str, ...]]
    """Direction -> its pool: x->text from other2text, text->x from text2other."""
    sources: Mapping[Direction, str]
    """Direction -> the file its pool was read from."""

    def choose(self, direction: Direction, seed: int) -> Instruction:
        """One instruction drawn uniformly from the direction's pool with a seeded RNG."""
        pool = self.pools.get(direction)
        if not pool:
            raise ValueError(
                f"no instruction pool for {direction[0]}->{direction[1]} in "
                f"{sorted(set(self.sources.values()))}"
            )
        index = random.Random(seed).randrange(len(pool))
        return Instruction(pool[index], self.sources[direction], index)


def default_instruction(direction: Direction) -> Instruction:
    """The shipped instruction of a direction: the first entry of its reference pool."""
    try:
        return Instruction(DEFAULT_INSTRUCTIONS[direction], "default", 0)
    except KeyError:
        known = ", ".join(f"{a}->{b}" for a, b in DEFAULT_INSTRUCTIONS)
        raise ValueError(
            f"AnyGPT has no instruction for {direction[0]}->{direction[1]}; known: {known}"
        ) from None


def load_instruction_pools(checkout: str | Path) -> InstructionPools:
    """Read the instruction pools from an OpenMOSS/AnyGPT checkout, without executing its code."""
    pools: dict[Direction, tuple[str, ...]] = {}
    sources: dict[Direction, str] = {}
    for name, relative in POOL_FILES.items():
        path = Path(checkout) / relative
        for key, pool in _read_dict_literal(path, name).items():
            modality = Modality(key)
            direction = (
                (modality, Modality.TEXT)
                if name.startswith("other2text")
                else (Modality.TEXT, modality)
            )
            pools[direction] = tuple(pool)
            sources[direction] = str(path)
    return InstructionPools(pools, sources)


def _read_dict_literal(path: Path, name: str) -> dict[str, list[str]]:
    """The dict literal assigned to `name` at the top level of a Python file."""
    if not path.is_file():
        raise FileNotFoundError(
            f"no AnyGPT instruction pool at {path}; pass the root of an OpenMOSS/AnyGPT checkout"
        )
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == name
        ):
            value = ast.literal_eval(node.value)
            if not (
                isinstance(value, dict)
                and all(
                    isinstance(pool, list) and all(isinstance(s, str) for s in pool)
                    for pool in value.values()
                )
            ):
                raise ValueError(f"{path}: {name} is not a dict of lists of strings")
            return value
    raise ValueError(f"{path} assigns no {name} = {{...}} literal")
