"""What `pip install` alone makes available, and what importing costs."""
import subprocess
import sys


def _run(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()


NAMES = [
    ("llm_tasks", "evokd.TextCatAnalyse.v1"),
    ("llm_tasks", "evokd.TextCatAnalyse.v2"),
    ("llm_tasks", "evokd.TextCatGenerate.v1"),
    ("llm_tasks", "evokd.TextCatGenerate.v2"),
    ("llm_tasks", "evokd.TextCatStaticGenerate.v1"),
    ("llm_tasks", "evokd.TextCatStaticGenerate.v2"),
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
]

# Each name is checked in one fresh interpreter (an interpreter a name took 2 s): its installed
# entry point must load our factory, and spaCy's registry must resolve it. A name that an earlier
# name's module already registered is still checked through its own entry point.
RESOLVE = """
import json, sys
from importlib.metadata import entry_points
import spacy_llm  # spacy-llm's registries, as a user's pipeline would have them
from spacy.util import registry
problems = []
for registry_name, name in json.loads(sys.argv[1]):
    reg = getattr(registry, registry_name)
    found = [ep for ep in entry_points(group=reg.entry_point_namespace) if ep.name == name]
    if not found:
        problems.append(f"{name}: no entry point in {reg.entry_point_namespace}")
        continue
    factory = found[0].load()
    if not factory.__module__.startswith("evokd_spacy.") or reg.get(name) is not factory:
        problems.append(f"{name}: resolves to {reg.get(name)!r}, its entry point to {factory!r}")
print(json.dumps(problems))
"""


def test_registered_names_resolve_through_entry_points_without_imports():
    import json

    out = subprocess.run([sys.executable, "-c", RESOLVE, json.dumps(NAMES)], capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == []


def test_a_name_resolves_in_a_fresh_interpreter_through_its_entry_point_alone():
    code = ("import sys, spacy_llm\nfrom spacy.util import registry\nbefore = 'evokd_spacy' in sys.modules\n"
            "print(before, registry.llm_tasks.get('evokd.NERLabel.v2').__module__)")
    assert _run(code).split() == ["False", "evokd_spacy.tasks.ner.label"]


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
