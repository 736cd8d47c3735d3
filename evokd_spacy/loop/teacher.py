"""Build the teacher (a spacy-llm model and the three tasks) from the [teacher] config blocks."""
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional

from ..errors import ConfigError
from ..teachers.budget import Budget
from ..teachers.cache import TeacherClient
from ..ty import TaskSpec


@dataclass
class Teacher:
    """The resolved teacher: tasks, and a cached client around the model."""

    analyse: Any
    generate: Any
    label: Any
    client: TeacherClient
    name: str
    revise: Any = None  # only with an unlabelled pool ([pool] path)


def _needs_spacy_llm(block: Any) -> bool:
    if isinstance(block, dict):
        for key, value in block.items():
            if key.startswith("@llm_") and not str(value).startswith("evokd."):
                return True
            if _needs_spacy_llm(value):
                return True
    return False


# the environment variable each of spacy-llm's REST providers reads its key from (spacy_llm/models/rest/*/model.py)
SPACY_LLM_KEYS = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY", "cohere": "CO_API_KEY",
                  "palm": "PALM_API_KEY", "azure": "AZURE_OPENAI_KEY"}


def api_key_hint(model_block: Any) -> str:
    """For a spacy-llm REST model whose provider's key variable is unset, a sentence naming it
    (spacy-llm's own errors for a missing key do not); "" otherwise."""
    import os

    from spacy.util import registry

    name = model_block.get("@llm_models", "") if isinstance(model_block, dict) else ""
    try:
        module = registry.llm_models.get(name).__module__ if name.startswith("spacy.") else ""
    except Exception:
        return ""
    provider = next((p for p in SPACY_LLM_KEYS if f".rest.{p}." in module), None)
    if provider is None or os.environ.get(SPACY_LLM_KEYS[provider]):
        return ""
    return f" ({name} reads its API key from the environment variable {SPACY_LLM_KEYS[provider]}, which is not set.)"


def teacher_name(model_config: Dict[str, Any]) -> str:
    """A readable model name for reports and package meta (never a secret: configs hold none)."""
    name = model_config.get("name") or model_config.get("path") or model_config.get("model") or ""  # model: a served one's
    if isinstance(name, dict):
        name = "/".join(str(v) for k, v in name.items() if not k.startswith("@"))
    return f"{model_config.get('@llm_models', '?')}:{Path(str(name)).name if name else ''}".rstrip(":")


def resolve_tasks(teacher_config: Dict[str, Any], spec: TaskSpec, with_model: bool = False) -> Dict[str, Any]:
    """Resolve the [teacher] blocks (the model only `with_model`) and give the tasks the run's labels."""
    from spacy.util import registry

    from .. import registry as _ensure_registries  # noqa: F401  (creates llm_* registries)

    blocks = {k: v for k, v in teacher_config.items() if with_model or k != "model"}
    if _needs_spacy_llm(blocks):
        import spacy_llm  # noqa: F401  (registers spacy-llm's own models and tasks)
    try:
        resolved = registry.resolve({"teacher": blocks}, validate=True)["teacher"]
    except Exception as err:
        raise ConfigError(f"Cannot build [teacher] from the config: {err}{api_key_hint(blocks.get('model'))}") from None
    for part in ("analyse", "generate", "label", "revise"):
        task = resolved.get(part)
        if task is None:
            continue
        if hasattr(task, "add_label") and not getattr(task, "labels", None):
            for label, definition in spec.labels.items():
                task.add_label(label, definition)
        if hasattr(task, "description") and not task.description:
            task.description = spec.description
        if hasattr(task, "exclusive"):
            task.exclusive = spec.exclusive
    return resolved


def loop_budget(path: Path, loop: Dict[str, Any]) -> Budget:
    """The run's teacher budget ledger at `path`, with the limits and prices of the [loop] section."""
    prices = (float(loop["cost_per_1k_prompt_tokens"]), float(loop["cost_per_1k_completion_tokens"]))
    return Budget(path, loop["max_teacher_calls"], loop["max_teacher_tokens"], float(loop["max_teacher_cost"]), prices)


def build_teacher(
    teacher_config: Dict[str, Any], spec: TaskSpec, cache_dir: Path, progress: bool = True, budget: Optional[Budget] = None
) -> Teacher:
    """Resolve the [teacher] blocks, give the tasks the run's labels, wrap the model in the cache."""
    resolved = resolve_tasks(teacher_config, spec, with_model=True)
    client = TeacherClient(resolved["model"], teacher_config["model"], cache_dir, progress=progress, budget=budget)
    return Teacher(
        resolved["analyse"], resolved["generate"], resolved["label"], client, teacher_name(teacher_config["model"]), resolved.get("revise")
    )


def prepare_labelling(teacher: Teacher, examples: List[Dict[str, Any]], labels: bool = True) -> None:
    """Give the labelling (and revision) task the seed examples and, if it calibrates, its
    content-free prior; `labels = False` (the run never calls the labelling task) skips its calibration."""
    for task in (teacher.label, teacher.revise):
        if hasattr(task, "set_examples"):
            task.set_examples(examples)
        if labels or task is not teacher.label:
            calibrate(teacher, task)


def calibrate(teacher: Teacher, task: Any) -> None:
    """Set a calibrating task's content-free prior from its calibration prompts, as they are now
    (they show the exemplars the task shows, so a change of exemplars needs a new prior)."""
    prompts = task.calibration_prompts() if hasattr(task, "calibration_prompts") else []
    if prompts:
        task.set_prior(teacher.client.ask(prompts, desc="calibrate"))
