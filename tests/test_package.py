"""The packaged student: `spacy package` builds a wheel that installs and loads in a fresh venv."""
import json
import subprocess
import sys
import venv

import pytest

from evokd_spacy.loop.runner import EvoKDRunner


@pytest.mark.slow
def test_packaged_wheel_installs_and_loads_in_a_fresh_venv(settings_factory, tmp_path):
    """(The secret scan of a packaged pipeline's meta is in tests/loop/test_served_teacher.py.)"""
    settings = settings_factory(**{"loop.rounds": 1})
    metrics = EvoKDRunner(settings, quiet=True).run()
    packages = tmp_path / "packages"
    packages.mkdir()
    build = [sys.executable, "-m", "spacy", "package", str(settings.output / "model-best"), str(packages)]
    build += ["--name", "evokd_test", "--version", "0.0.1", "--build", "wheel", "--force"]
    subprocess.run(build, check=True, capture_output=True, timeout=600)
    [wheel] = packages.rglob("*.whl")

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)  # no system site packages: only what the wheel pulls in
    python = env_dir / "bin" / "python"
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(wheel)], check=True, timeout=900)
    code = (
        "import json, spacy; nlp = spacy.load('en_evokd_test'); doc = nlp('I love it, excellent.');"
        "print(json.dumps({'cats': doc.cats, 'meta': nlp.meta}))"
    )
    out = subprocess.run([str(python), "-c", code], check=True, capture_output=True, text=True, timeout=300)
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert set(loaded["cats"]) == {"POSITIVE", "NEGATIVE"}
    evokd = loaded["meta"]["evokd"]
    assert evokd["teacher"].startswith("evokd.ScriptedTeacher.v1") and evokd["rounds"] == 1
    assert evokd["dev_score"] == max(m["dev_score"] for m in metrics)
    assert evokd["samples"]["generated_kept"] == sum(m["kept"] for m in metrics if 0 < m["round"] <= evokd["best_round"])
    installed = subprocess.run([str(python), "-m", "pip", "list"], capture_output=True, text=True).stdout
    assert "evokd" in installed and "evokd-spacy" not in installed  # the pipeline needs spaCy only
