"""Metric implementations and their protocol presets; importing this package registers them."""

from evals.registry import METRICS
from metrics.captioning import CAPTION_METRICS
from metrics.clap_score import CLAP_PRESETS, ClapScore
from metrics.clip_s import CLIP_S_PRESETS, ClipS
from metrics.clip_score import CLIP_PRESETS, ClipScore
from metrics.dnsmos import DNSMOS, DNSMOS_PRESETS
from metrics.fad import FAD, FAD_PRESETS
from metrics.fid import FID, FID_PRESETS
from metrics.fidelity import FIDELITY_PRESETS, Fidelity
from metrics.speaker_sim import SIM_PRESETS, ResemblyzerSIM
from metrics.speaker_sim_input import SIM_INPUT_PRESETS, ResemblyzerInputSIM
from metrics.speaker_sim_wavlm import WAVLM_SIM_PRESETS, WavLMSIM
from metrics.tts_wer import TTS_WER_PRESETS, TTSWER
from metrics.wer import WER, WER_PRESETS

for _cls, _presets in (
    (WER, WER_PRESETS),
    (TTSWER, TTS_WER_PRESETS),
    (ResemblyzerSIM, SIM_PRESETS),
    (WavLMSIM, WAVLM_SIM_PRESETS),
    (DNSMOS, DNSMOS_PRESETS),
    (ClapScore, CLAP_PRESETS),
    (FAD, FAD_PRESETS),
    (Fidelity, FIDELITY_PRESETS),
    (ResemblyzerInputSIM, SIM_INPUT_PRESETS),
    (ClipScore, CLIP_PRESETS),
    (ClipS, CLIP_S_PRESETS),
    (FID, FID_PRESETS),
    *CAPTION_METRICS,
):
    for _preset in _presets:
        METRICS.register(_preset.name, _cls(_preset))
