"""A run config on the embedded demo data, written to a work folder: the shipped config with a CNN
student and the given teacher model. Used by the stress benchmark and the CLI tests."""
from pathlib import Path
from typing import Any, Dict, Optional

ROOT = Path(__file__).resolve().parent.parent


def write_demo_config(
    workdir: Path,
    teacher: Dict[str, Any],
    config_name: str = "evokd.cfg",
    loop: Optional[Dict[str, Any]] = None,
    student: Optional[Dict[str, Any]] = None,
    generate: Optional[Dict[str, Any]] = None,
) -> Path:
    """Write `workdir/run.cfg`: demo seeds, dev and labels; output and corpus in `workdir`."""
    from confection import Config

    assets = ROOT / "assets" / ("ner" if config_name == "evokd_ner.cfg" else "textcat")
    config = Config().from_disk(ROOT / "configs" / config_name, interpolate=False)
    config["paths"].update(
        seeds=str(assets / "seeds.jsonl"),
        dev=str(assets / "dev.jsonl"),
        labels=str(assets / "labels.json"),
        output=str(workdir / "training"),
        corpus=str(workdir / "corpus"),
    )
    config["loop"].update(min_confidence=0.0, progress=False, **(loop or {}))
    config["student"].update(preset="cnn", **(student or {}))
    config["teacher"]["generate"].update(generate or {})
    config["teacher"]["model"] = teacher
    path = workdir / "run.cfg"
    config.to_disk(path)
    return path
