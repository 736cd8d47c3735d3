"""project.yml's commands that need no teacher or student, run through `spacy project run`."""
import shutil
import subprocess
import sys

from tests.conftest import ROOT


def test_clean_deletes_the_runs_outputs_corpora_and_package_and_nothing_else(tmp_path):
    shutil.copy(ROOT / "project.yml", tmp_path / "project.yml")
    made = ["training/mine", "corpus/mine", "training/evokd_ner", "corpus/evokd_ner", "packages/en_evokd_student-0.1.0"]
    kept = ["training/other", "assets/teacher", "configs"]
    for folder in made + kept:
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "file.txt").write_text("x")
    command = [sys.executable, "-m", "spacy", "project", "run", "clean", str(tmp_path),
               "--vars.output", "training/mine", "--vars.corpus", "corpus/mine"]
    subprocess.run(command, check=True, capture_output=True, cwd=tmp_path, timeout=120)
    assert not [folder for folder in made if (tmp_path / folder).exists()]
    assert all((tmp_path / folder / "file.txt").exists() for folder in kept)
