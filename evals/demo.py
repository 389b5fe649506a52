"""The offline demo: a synthesized spoken test set, real baselines, one comparison table.

The test set is spoken by several synthetic voices (so transcripts and speakers are known
exactly); it is written once as a JSONL manifest with WAV files and reused while its recipe is
unchanged. Every system then runs through the same `manifest-asr` / `manifest-tts` tasks,
runner, store and scorer as any real evaluation. Beside it, the ASR systems also run the real
LibriVox recordings of Debian's `pocketsphinx-testdata` (task `librivox-asr`), scored and
tabled separately; without that package the demo says so and runs the rest.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from evals.registry import MODELS
from evals.results import RunResults
from evals.run_config import ConfigMismatchError
from evals.runner import RunOptions, run
from evals.scoring import score_run
from evals.spec import ModelSpec, SpecError
from evals.types import Modality, Request, Text

# Harvard sentences (IEEE Recommended Practice for Speech Quality Measurements, 1969).
SENTENCES = (
    "The birch canoe slid on the smooth planks.",
    "Glue the sheet to the dark blue background.",
    "It's easy to tell the depth of a well.",
    "These days a chicken leg is a rare dish.",
    "Rice is often served in round bowls.",
    "The juice of lemons makes fine punch.",
    "The box was thrown beside the parked truck.",
    "The hogs were fed chopped corn and garbage.",
    "Four hours of steady work faced us.",
    "A large size in stockings is hard to sell.",
    "The boy was there when the sun rose.",
    "A rod is used to catch pink salmon.",
    "The source of the huge river is the clear spring.",
    "Kick the ball straight and follow through.",
    "Help the woman get back to her feet.",
    "A pot of tea helps to pass the evening.",
    "Smoky fires lack flame and heat.",
    "The soft cushion broke the man's fall.",
    "The salt breeze came across from the sea.",
    "The girl at the booth sold fifty bonds.",
    "The small pup gnawed a hole in the sock.",
    "The fish twisted and turned on the bent hook.",
    "Press the pants and sew a button on the vest.",
    "The swan dive was far short of perfect.",
)

# The demo's speakers: (speaker id, synthesizer spec). Piper noise is off so the data are exact.
SPEAKERS = (
    ("piper-joe", "piper:voice=joe,noise_scale=0,noise_w_scale=0"),
    ("espeak-en-us", "espeak-ng:voice=en-us"),
    ("espeak-en-gb-f", "espeak-ng:voice=en-gb+f3"),
    ("flite-slt", "flite:voice=slt"),
    ("flite-awb", "flite:voice=awb"),
    ("flite-rms", "flite:voice=rms"),
)

# The systems compared: (label, model spec, tasks).
SYSTEMS = (
    ("Whisper tiny.en (faster-whisper)", "faster-whisper:model=tiny.en", ("manifest-asr",)),
    ("PocketSphinx en-us", "pocketsphinx", ("manifest-asr",)),
    ("Piper joe", "piper:voice=joe", ("manifest-tts",)),
    ("espeak-ng en-us", "espeak-ng:voice=en-us", ("manifest-tts",)),
    ("flite kal16", "flite:voice=kal16", ("manifest-tts",)),
    ("Ground truth", "reference", ("manifest-asr", "manifest-tts")),
)


# The systems run on the real recordings: (label, model spec); the task is REAL_TASK.
REAL_SYSTEMS = (
    ("Whisper tiny.en (faster-whisper)", "faster-whisper:model=tiny.en"),
    ("PocketSphinx en-us", "pocketsphinx"),
    ("Ground truth", "reference"),
)
REAL_TASK = "librivox-asr"


@dataclass(frozen=True)
class DemoReport:
    """What the demo produced."""

    table: str
    """The Markdown report: the synthesized-set table, then the real-recordings table."""
    path: Path
    """Where the table was written."""
    runs: tuple[RunResults, ...]
    """The scored runs on the synthesized set, one per system."""
    real_runs: tuple[RunResults, ...] = ()
    """The scored runs on the real recordings, one per ASR system; empty when they are absent."""
    real_skipped: str = ""
    """Why the real recordings were not run (their package is missing), or empty."""


def recipe_hash(sentences_per_voice: int) -> str:
    blob = json.dumps([SENTENCES, SPEAKERS, sentences_per_voice]).encode()
    return hashlib.sha256(blob).hexdigest()[:12]


def build_test_set(folder: Path, sentences_per_voice: int) -> Path:
    """Speak `sentences_per_voice` distinct sentences per speaker; returns the manifest path."""
    import soundfile as sf

    from evals.media import load_audio

    manifest = folder / "manifest.jsonl"
    stamp = folder / "recipe.txt"
    recipe = recipe_hash(sentences_per_voice)
    if manifest.exists() and stamp.exists() and stamp.read_text().strip() == recipe:
        return manifest
    if not 2 <= sentences_per_voice <= len(SENTENCES) // len(SPEAKERS):
        # two per speaker at least: each utterance's voice prompt is another one of its speaker
        raise SpecError(f"--sentences must be between 2 and {len(SENTENCES) // len(SPEAKERS)}")
    (folder / "wavs").mkdir(parents=True, exist_ok=True)
    rows = []
    for s, (speaker, spec) in enumerate(SPEAKERS):
        parsed = ModelSpec.parse(spec)
        tts = MODELS.get(parsed.name).from_spec(parsed)
        for k in range(sentences_per_voice):
            text = SENTENCES[s * sentences_per_voice + k]
            utt = f"{speaker}-{k:02d}"
            (resp,) = tts.generate([Request("demo-data", utt, (Text(text),), Modality.SPEECH)])
            if resp.output is None:
                raise RuntimeError(f"demo data: {speaker} failed to speak {text!r}: {resp.error}")
            samples, rate = load_audio(resp.output, 16000)
            sf.write(folder / "wavs" / f"{utt}.wav", samples, rate, subtype="PCM_16")
            rows.append({"id": utt, "audio": f"wavs/{utt}.wav", "text": text, "speaker": speaker})
        tts.close()
    manifest.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    stamp.write_text(recipe + "\n")
    return manifest


def run_system(
    label: str, spec: str, tasks: tuple[str, ...], run_dir: Path, data: dict, progress: bool
) -> RunResults:
    """Run and score one system on `tasks`."""
    print(f"[demo] {label}: {', '.join(tasks)}")
    model, options = ModelSpec.parse(spec), RunOptions(batch_size=4, progress=progress)
    try:
        run(model, tasks, run_dir, data=data, options=options, label=label)
    except ConfigMismatchError as exc:  # the test set was rebuilt: the demo's folders are its own
        print(f"[demo] {label}: starting afresh ({exc})")
        run(model, tasks, run_dir, data=data, options=options, label=label, fresh=True)
    return score_run(run_dir)


def slug(label: str) -> str:
    return label.lower().replace(" ", "-").replace("(", "").replace(")", "")


def real_recordings() -> tuple[Path | None, str]:
    """The real-speech folder, or None and why it is not there."""
    from evals.registry import TASKS

    path = TASKS.get(REAL_TASK).data.resolve()
    if (path / "transcription").is_file():
        return path, ""
    return None, f"{path} not found (apt-get install pocketsphinx-testdata)"


def run_demo(out: str | Path, sentences_per_voice: int = 3, progress: bool = True) -> DemoReport:
    """Build the test set, run and score every system, write the comparison tables."""
    from reports.table import markdown_table

    out = Path(out)
    manifest = build_test_set(out / "data", sentences_per_voice)
    data = {"manifest-asr": str(manifest), "manifest-tts": str(manifest)}
    results = [
        run_system(label, spec, tasks, out / slug(label), data, progress)
        for label, spec, tasks in SYSTEMS
    ]
    table = markdown_table(results)
    real_dir, skipped = real_recordings()
    real = []
    if real_dir is not None:
        real = [
            run_system(label, spec, (REAL_TASK,), out / "real" / slug(label), {}, progress)
            for label, spec in REAL_SYSTEMS
        ]
    real_table = markdown_table(real) if real else f"(not run: {skipped})"
    text = (
        f"## Synthesized test set\n\n{table}\n\n"
        f"## Real recordings (LibriVox, Debian pocketsphinx-testdata)\n\n{real_table}\n"
    )
    path = out / "report.md"
    path.write_text(f"# anybench demo\n\n{text}", encoding="utf-8")
    return DemoReport(text, path, tuple(results), tuple(real), skipped)
