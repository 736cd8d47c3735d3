"""Shared fixtures: a tiny run with the scripted teacher and a small CNN student."""
from pathlib import Path
from typing import Any, Dict

import pytest

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets" / "textcat"
# Calls the default textcat labeller spends on calibration per run: none, since TextCatLabel.v5
# calibrates each call by its own texts (v2/v3 make one call per content-free input).
CALIBRATION_CALLS = 0

LEXICON = {
    "POSITIVE": ["great", "love", "excellent", "wonderful", "perfect", "recommend"],
    "NEGATIVE": ["awful", "broke", "boring", "terrible", "waste", "refund"],
}


def pytest_configure(config: Any) -> None:
    config.addinivalue_line("markers", "slow: minutes on CPU (a real small LLM teacher, or a wheel installed into a fresh venv)")
    config.addinivalue_line("markers", "integration: starts a real OpenAI-compatible server on 127.0.0.1")


NER_ASSETS = ROOT / "assets" / "ner"
NER_LEXICON = {
    "DISH": ["ramen", "pad thai", "tiramisu", "pho", "lasagna"],
    "INGREDIENT": ["garlic", "basil", "soy sauce", "miso", "ginger"],
}


def make_settings(tmp_path: Path, config: str = "evokd.cfg", **overrides: Any):
    """Run settings from a shipped config, pointed at tmp_path, with the scripted teacher."""
    from evokd_spacy.loop.settings import check_settings, load_config

    ner = config == "evokd_ner.cfg"
    assets = NER_ASSETS if ner else ASSETS
    values: Dict[str, Any] = {
        "paths.seeds": str(assets / "seeds.jsonl"),
        "paths.dev": str(assets / "dev.jsonl"),
        "paths.labels": str(assets / "labels.json"),
        "paths.output": str(tmp_path / "training"),
        "paths.corpus": str(tmp_path / "corpus"),
        "loop.rounds": 2,
        "loop.min_confidence": 0.0,
        "loop.progress": False,
        "loop.choose_echo": 0,  # the shipped default; pinned, as a choice labels dev texts first and tests count calls
        "student.preset": "cnn",
        "student.max_steps": 8,
        "student.eval_frequency": 4,
    }
    values.update(overrides)
    config = load_config(ROOT / "configs" / config, values)
    config["teacher"]["model"] = {"@llm_models": "evokd.ScriptedTeacher.v1", "lexicon": NER_LEXICON if ner else LEXICON}
    return check_settings(config)


def write_run_config(tmp_path: Path, teacher: Dict[str, Any], config_name: str = "evokd.cfg", **loop: Any) -> Path:
    """A run config file for the CLI: a shipped config pointed at tmp_path, CNN student, `teacher` model."""
    from benchmarks.demo_config import write_demo_config

    loop = {"choose_echo": 0, **loop} if config_name == "evokd.cfg" else loop
    return write_demo_config(tmp_path, teacher, config_name, loop=loop, student={"max_steps": 8, "eval_frequency": 4})


@pytest.fixture
def settings_factory(tmp_path: Path):
    """Build settings for a run in tmp_path; keyword overrides use dotted config keys."""

    def factory(config: str = "evokd.cfg", **overrides: Any):
        return make_settings(tmp_path, config, **overrides)

    return factory
