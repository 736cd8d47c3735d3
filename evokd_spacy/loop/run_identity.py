"""Which run a run folder holds: its settings and data files are recorded when it starts, and a
run is continued only with the same ones (rounds may change). Its corpus folder records which run
folder owns it, so two runs never write their batches into one corpus folder."""
from pathlib import Path
from typing import Any, Dict, List, Optional

from wasabi import msg

from ..errors import ConfigError
from ..util.io import atomic_write_json, atomic_write_text, read_json
from .settings import SAVED_CONFIG, RunSettings, changed_keys, data_digests, run_fingerprint
from .state import RunFolder


CORPUS_OWNER = "run_owner.json"


def corpus_owner(folder: RunFolder) -> Optional[Path]:
    """The run folder of another run that still owns `folder.corpus` (None when it is free, ours,
    or its owner's run folder is gone, as after a move)."""
    marker = folder.corpus / CORPUS_OWNER
    if not marker.exists():
        return None
    owner = Path(read_json(marker).get("output", ""))
    if owner == folder.output.resolve() or not (owner / "run.json").exists():
        return None
    if folder.output.exists() and owner.exists() and owner.samefile(folder.output):
        return None
    return owner


def check_run_folder(folder: RunFolder, settings: RunSettings) -> Optional[Dict[str, Any]]:
    """The `run.json` of the run the folder holds (None when it holds none); a ConfigError names
    the settings or data files that differ from `settings`, or the other run whose corpus folder
    this one names. Writes nothing."""
    owner = corpus_owner(folder)
    if owner is not None:
        raise ConfigError(
            f"{folder.corpus} holds the round data of the run in {owner}: two runs in one corpus folder overwrite "
            "each other's batches. Give this run its own --paths.corpus (a new folder; a copied run folder rebuilds "
            "its batches there from its saved steps)."
        )
    path = folder.output / "run.json"
    if not path.exists():
        return None
    saved = read_json(path)
    changed = changed_keys(saved["settings"], run_fingerprint(settings))
    data = data_digests(settings)
    edited = edited_files(saved, data)
    unused = _unused_changes(folder, changed, edited)
    if unused:  # what changed has not been used yet: a fixed setting continues the run
        msg.info(f"{folder.output} has no {' or '.join(USED_BY[side] for side in unused)} yet, so it continues with the new "
                 f"{' and '.join(unused)} settings ({', '.join(sorted({k for keys in unused.values() for k in keys}))}).")
        return {**saved, "settings": run_fingerprint(settings), "data": data}
    if changed:
        raise ConfigError(
            f"{folder.output} holds a run started with other settings ({', '.join(changed)}). "
            f"Continue it with the same settings, or {NEW_RUN}."
        )
    if edited:
        raise ConfigError(
            f"The file(s) of {', '.join(edited)} changed since {folder.output} started: its rounds were chosen and "
            f"scored on the old ones. Continue it with the original files, or {NEW_RUN}."
        )
    return saved


def edited_files(saved: Dict[str, Any], data: Dict[str, str]) -> List[str]:
    """The config keys of the files recorded in a run's `run.json` whose digest differs from `data` now."""
    return [key for key, digest in saved.get("data", {}).items() if data.get(key) != digest]


NEW_RUN = ("give the new run its own --paths.output and --paths.corpus (with spacy project run: --vars.output and "
           "--vars.corpus), or delete the old run's folders (spacy project run clean)")


def is_teacher_key(key: str) -> bool:
    """Whether a fingerprint key is a teacher setting (its blocks, or the local teacher's path)."""
    return key.startswith("teacher.") or key == "paths.teacher"


USED_BY = {"teacher": "teacher answer", "student": "trained student"}


def _unused_changes(folder: RunFolder, changed: List[str], edited: List[str]) -> Dict[str, List[str]]:
    """The changed settings and edited files by side ("teacher", "student") when every one of them
    belongs to a side the run has not used yet (no teacher answer, no trained student); else {}."""
    sides = {"teacher": [k for k in changed if is_teacher_key(k)], "student": [k for k in changed + edited if _is_student_key(k)]}
    sides = {side: keys for side, keys in sides.items() if keys}
    if not sides or sum(map(len, sides.values())) != len(changed) + len(edited):
        return {}
    used = {"teacher": teacher_answered, "student": student_trained}
    return {} if any(used[side](folder) for side in sides) else sides


def _is_student_key(key: str) -> bool:
    return key.startswith("student.")


def student_trained(folder: RunFolder) -> bool:
    """Whether any round of the run in `folder` has trained its student: until then its student
    settings (and its own training config file) may still change."""
    return any(folder.output.glob("rounds/round_*/train.json"))


def teacher_answered(folder: RunFolder) -> bool:
    """Whether the run in `folder` has any teacher answer: a dev choice of its labeller, a call in
    its budget ledger, or a step that asked the teacher (or its cache). Until then its teacher
    settings may still change."""
    from .label_choice import CHOICE_FILE

    if (folder.output / CHOICE_FILE).exists():
        return True
    ledger = folder.ledger
    try:
        if ledger.exists() and (read_json(ledger).get("calls") or 0) > 0:
            return True
    except (ValueError, AttributeError):
        return True
    for step in (folder.output / "rounds").glob("round_*/*.json"):
        try:
            used = read_json(step).get("step_teacher") or {}
        except ValueError:
            return True  # unreadable: assume the worst
        if used.get("calls") or used.get("cached"):
            return True
    return False


def claim_run_folder(folder: RunFolder, settings: RunSettings) -> None:
    """Record a new run's settings and data digests in `run.json` (and its config); refuse to continue
    a run whose settings or data files have changed since, naming them."""
    path = folder.output / "run.json"
    saved = check_run_folder(folder, settings)
    on_disk = read_json(path) if saved is not None else None
    atomic_write_json(folder.corpus / CORPUS_OWNER, {"output": str(folder.output.resolve())})
    cache = str(settings.cache.resolve()) if settings.cache else None  # None: the run's own, which moves with it
    if saved and "cache" in saved and saved["cache"] != cache:
        warn_if_cache_left_behind(folder, saved["cache"], cache)
    # a run started before its data files or its cache were recorded gets them now
    record = {**(saved or {"settings": run_fingerprint(settings)}), "cache": cache, "rounds": int(settings.loop["rounds"])}
    # a digest a later version records (the student's own config file) is added from now on
    record["data"] = {**data_digests(settings), **(record.get("data") or {})}
    if record != on_disk:
        atomic_write_json(path, record)
    if settings.config is not None:
        from confection import Config

        config = Config(settings.config)
        config["teacher"] = settings.teacher_config
        atomic_write_text(folder.output / SAVED_CONFIG, config.to_str())


def warn_if_cache_left_behind(folder: RunFolder, old: Optional[str], new: Optional[str]) -> None:
    """Warn when a continued run names another teacher cache than it used so far: the answers only
    in the old one are asked, and paid for, again."""
    before = Path(old) if old else folder.output / "cache"
    if before.is_dir() and any(before.iterdir()):
        msg.warn(f"This run's teacher answers so far are cached in {before}, and it now uses "
                 f"{new or folder.output / 'cache'}: answers found only in the old one are asked again (and paid for). "
                 f"To reuse them, continue with --paths.cache {before}.")


def samples_digest(samples: List[Any]) -> Dict[str, Any]:
    """How many samples a file was read as, and a short sha256 of their texts, labels and spans."""
    import hashlib
    import json

    rows = [[s.text, list(s.labels), [list(span) for span in s.spans]] for s in samples]
    return {"n": len(rows), "sha256": hashlib.sha256(json.dumps(rows).encode("utf8")).hexdigest()[:16]}


def check_samples_read(folder: RunFolder, read: Dict[str, List[Any]]) -> None:
    """Record how the run's dev and test files were read (`run.json`'s "read"); when this version
    reads them into other samples than the one that started the run (same files, another reader),
    warn: the rounds before and after are scored on different dev sets."""
    path = folder.output / "run.json"
    if not path.exists():
        return
    record = read_json(path)
    now = {key: samples_digest(samples) for key, samples in read.items()}
    before = record.get("read")
    if before is None:
        atomic_write_json(path, {**record, "read": now})
        if folder.metrics.exists():  # a run started before readings were recorded
            msg.warn(f"{folder.output} was started by a version that did not record how it read its dev and test files. "
                     "If this version reads them differently (session 22 changed how Prodigy NER records without spans, "
                     "binary rejects and TSV quotes are read), rounds before and after are scored on different dev sets; "
                     "compare the dev set's size in its rounds' train.log with the file to check.")
        return
    changed = [key for key in now if key in before and before[key] != now[key]]
    if changed and not folder.metrics.exists():  # no round scored yet: nothing to compare across
        atomic_write_json(path, {**record, "read": now})
    elif changed:
        counts = ", ".join(f"{key}: {before[key]['n']} samples then, {now[key]['n']} now" for key in changed)
        msg.warn(f"This version reads {', '.join(changed)} into other samples than the version that started the run ({counts}). "
                 "Rounds finished before were scored on the old dev set and later ones on the new, so their dev scores, and "
                 f"the choice of model-best, do not compare; to compare rounds on one dev set, {NEW_RUN}.")
