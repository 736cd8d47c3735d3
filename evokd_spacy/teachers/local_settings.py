"""The local teacher's generation settings and the checks made before it loads: light functions
(no torch), shared by the model and the cache keys."""
from pathlib import Path
from typing import Any, Dict

DEFAULT_GENERATION = {
    "max_new_tokens": 200,
    "do_sample": True,
    "temperature": 0.7,
    "top_p": 0.95,
    "repetition_penalty": 1.1,
}
SAMPLING = ("do_sample", "temperature", "top_p", "top_k")


def greedy_settings(config: Dict[str, Any]) -> Dict[str, Any]:
    """Generation settings `config` without its sampling: greedy decoding."""
    return {**{k: v for k, v in config.items() if k not in SAMPLING}, "do_sample": False}


def is_zero_temperature(config: Dict[str, Any]) -> bool:
    """Whether `config` samples at temperature 0 (or below), with the local model's defaults filled in."""
    filled = {**DEFAULT_GENERATION, **config}
    return bool(filled.get("do_sample")) and filled.get("temperature") is not None and float(filled["temperature"]) <= 0


def greedy_at_zero_temperature(config: Dict[str, Any]) -> Dict[str, Any]:
    """Generation settings where `temperature = 0` means greedy decoding, as it does on OpenAI's
    API (transformers refuses it, and a sampler would divide by it)."""
    return greedy_settings(config) if is_zero_temperature(config) else config


def model_path_problem(path: Path) -> str:
    """What keeps `path` from being a model transformers can load ('' when nothing does)."""
    if not path.exists():
        return f"Teacher model not found at {path}"
    if path.is_file():
        return "" if path.suffix.lower() == ".gguf" else f"The teacher model {path} is a file but not a .gguf file"
    if (path / "config.json").exists():
        return ""
    ggufs = sorted(p.name for p in path.glob("*.gguf"))
    if ggufs:
        return f"{path} holds no config.json but {', '.join(ggufs)}: set [teacher.model] path to the .gguf file itself"
    return f"{path} is not a model directory (it has no config.json)"


def is_out_of_memory(err: BaseException) -> bool:
    """Whether torch failed for want of memory (CUDA, MPS or the CPU allocator)."""
    text = str(err)
    return type(err).__name__ == "OutOfMemoryError" or "out of memory" in text.lower() or "can't allocate memory" in text
