"""Which run a run folder holds: its settings and data files are recorded when it starts, and a
run is continued only with the same ones (rounds may grow)."""
from ..errors import ConfigError
from ..util.io import atomic_write_json, atomic_write_text, read_json
from .settings import SAVED_CONFIG, RunSettings, changed_keys, data_digests, run_fingerprint
from .state import RunFolder


def claim_run_folder(folder: RunFolder, settings: RunSettings) -> None:
    """Record a new run's settings and data digests in `run.json` (and its config); refuse to continue
    a run whose settings or data files have changed since, naming them."""
    path = folder.output / "run.json"
    fingerprint, data = run_fingerprint(settings), data_digests(settings)
    if path.exists():
        saved = read_json(path)
        changed = changed_keys(saved["settings"], fingerprint)
        if changed:
            raise ConfigError(
                f"{folder.output} holds a run started with other settings ({', '.join(changed)}). "
                "Continue it with the same settings, or give the new run its own --paths.output and --paths.corpus."
            )
        edited = [key for key, digest in saved.get("data", {}).items() if data.get(key) != digest]
        if edited:
            raise ConfigError(
                f"The file(s) of {', '.join(edited)} changed since {folder.output} started: its rounds were chosen and "
                "scored on the old ones. Continue it with the original files, or give the new run its own "
                "--paths.output and --paths.corpus."
            )
        if "data" not in saved:  # a run started before the files were recorded
            atomic_write_json(path, {**saved, "data": data})
    else:
        atomic_write_json(path, {"settings": fingerprint, "data": data})
    if settings.config is not None:
        from confection import Config

        config = Config(settings.config)
        config["teacher"] = settings.teacher_config
        atomic_write_text(folder.output / SAVED_CONFIG, config.to_str())
