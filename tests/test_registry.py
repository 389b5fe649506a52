import sys
import textwrap

import pytest

from evals.registry import METRICS, MODELS, TASKS, Registry, UnknownNameError


def test_decorator_lazy_and_lookup():
    reg = Registry("widget", "anybench.test-widgets")

    @reg.register("alpha")
    class Alpha:
        pass

    reg.register_lazy("joiner", "os.path:join")
    assert reg.get("alpha") is Alpha
    import os.path

    assert reg.get("joiner") is os.path.join
    assert reg.names() == ["alpha", "joiner"]


def test_duplicate_registration_is_refused():
    reg = Registry("widget", "anybench.test-widgets")
    reg.register("a", 1)
    with pytest.raises(ValueError, match="already registered"):
        reg.register("a", 2)


def test_unknown_name_suggests_close_matches():
    with pytest.raises(UnknownNameError) as err:
        TASKS.get("librispeech-asrr")
    assert "did you mean librispeech-asr" in str(err.value)
    with pytest.raises(UnknownNameError, match=r"did you mean.*faster-whisper"):
        MODELS.get("faster-whisp")
    with pytest.raises(UnknownNameError, match="wer@whisper-norm"):
        METRICS.get("wer@whisper")


def test_entry_point_plugins_are_found(tmp_path, monkeypatch):
    """A task registered by another installed package through the `anybench.tasks` group."""
    pkg = tmp_path / "plugin_pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("VALUE = 'from plugin'\n")
    dist = tmp_path / "anybench_plugin-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: anybench-plugin\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text(
        textwrap.dedent("""
        [anybench.test-plugins]
        my-thing = plugin_pkg:VALUE
    """)
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    reg = Registry("thing", "anybench.test-plugins")
    assert "my-thing" in reg.names()
    assert reg.get("my-thing") == "from plugin"
    sys.modules.pop("plugin_pkg", None)


def test_builtin_registries_are_populated():
    assert {"librispeech-asr", "vctk-tts", "manifest-asr", "manifest-tts"} <= set(TASKS.names())
    assert {
        "faster-whisper",
        "hf-whisper",
        "piper",
        "espeak-ng",
        "flite",
        "reference",
        "predictions",
    } <= set(MODELS.names())
    assert {
        "wer@whisper-norm",
        "wer@basic",
        "sim@resemblyzer",
        "dnsmos@p835",
        "wer-tts@whisper-tiny.en",
    } <= set(METRICS.names())
