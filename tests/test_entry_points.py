"""What `pip install` alone makes available, and what importing costs."""
import subprocess
import sys

import pytest


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.parametrize(
    "registry_name,name",
    [
        ("llm_tasks", "evokd.TextCatAnalyse.v1"),
        ("llm_tasks", "evokd.TextCatAnalyse.v2"),
        ("llm_tasks", "evokd.TextCatGenerate.v1"),
        ("llm_tasks", "evokd.TextCatGenerate.v2"),
        ("llm_tasks", "evokd.TextCatLabel.v1"),
        ("llm_tasks", "evokd.NERAnalyse.v1"),
        ("llm_tasks", "evokd.NERAnalyse.v2"),
        ("llm_tasks", "evokd.NERGenerate.v1"),
        ("llm_tasks", "evokd.NERLabel.v1"),
        ("llm_tasks", "evokd.NERLabel.v2"),
        ("llm_models", "evokd.OpenAICompatible.v2"),
        ("llm_models", "evokd.OpenAICompatible.v3"),
        ("llm_models", "evokd.LocalHF.v1"),
        ("llm_models", "evokd.LocalHF.v2"),
        ("llm_models", "evokd.LocalHF.v3"),
        ("llm_models", "evokd.ScriptedTeacher.v1"),
        ("llm_tasks", "evokd.TextCatLabel.v3"),
        ("llm_tasks", "evokd.TextCatLabel.v4"),
        ("llm_tasks", "evokd.TextCatLabel.v5"),
        ("llm_tasks", "evokd.TextCatLabel.v6"),
        ("llm_tasks", "evokd.TextCatLabel.v7"),
        ("llm_tasks", "evokd.TextCatLabel.v8"),
        ("llm_tasks", "evokd.TextCatRevise.v1"),
        ("llm_tasks", "evokd.TextCatExplain.v1"),
        ("llm_tasks", "evokd.TextCatStepCheck.v1"),
        ("llm_tasks", "evokd.NERRevise.v1"),
        ("misc", "evokd.PackageFile.v1"),
        ("misc", "evokd.SelectRandom.v1"),
        ("misc", "evokd.SelectEntropy.v1"),
        ("misc", "evokd.SelectMargin.v1"),
        ("misc", "evokd.SelectExplanation.v1"),
        ("loggers", "evokd.CheckpointLogger.v1"),
    ],
)
def test_registered_names_resolve_through_entry_points_without_imports(registry_name, name):
    code = (
        "import spacy_llm\n"  # spacy-llm's registries, as a user's pipeline would have them
        f"from spacy.util import registry\nf = registry.{registry_name}.get({name!r})\nprint(f.__module__)"
    )
    assert _run(code).startswith("evokd_spacy.")


def test_every_name_the_code_registers_has_an_entry_point():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    registered = {m.group(1) for path in (root / "evokd_spacy").rglob("*.py")
                  for m in re.finditer(r'@registry\.\w+\("(evokd\.[\w.]+)"\)', path.read_text(encoding="utf8"))}
    declared = set(re.findall(r'"(evokd\.[\w.]+) = ', (root / "setup.py").read_text(encoding="utf8")))
    assert registered and registered <= declared, f"add to setup.py's entry points: {sorted(registered - declared)}"


def test_importing_the_package_adds_no_heavy_imports_beyond_spacy():
    # spaCy (through thinc) already imports torch when it is installed; we must add nothing heavy.
    code = (
        "import sys, spacy\nbefore = set(sys.modules)\n"
        "import evokd_spacy, evokd_spacy.tasks.textcat.label, evokd_spacy.teachers.local, evokd_spacy.loop.runner\n"
        "import evokd_spacy.pool.strategies, evokd_spacy.pool.explanation, evokd_spacy.tasks.textcat.revise\n"
        "print(sorted(m for m in set(sys.modules) - before if m.split('.')[0] in ('torch', 'transformers', 'spacy_llm', 'spacy_transformers')))"
    )
    assert _run(code) == "[]"


def test_a_spacy_llm_pipeline_runs_our_label_task_with_any_model():
    code = """
import spacy
from spacy.util import registry
nlp = spacy.blank("en")
nlp.add_pipe("llm", config={
    "task": {"@llm_tasks": "evokd.TextCatLabel.v1", "labels": {"POS": "good", "NEG": "bad"}},
    "model": {"@llm_models": "evokd.ScriptedTeacher.v1", "lexicon": {"POS": ["great"], "NEG": ["awful"]}},
})
print(nlp("An awful day").cats)
"""
    assert _run(code) == "{'POS': 0.0, 'NEG': 1.0}"
