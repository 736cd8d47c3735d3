"""The GPU-vs-CPU student results file: merge entries from several machines, the speed-ups, the table.

Used by `benchmarks.gpu_student`; the file is {"entries": {label: {...}}, "ratios": {...}}.
"""
import itertools
import json
from pathlib import Path
from typing import Any, Dict, Optional


def ratios(entries: Dict[str, Dict[str, Any]]) -> Dict[str, Dict[str, float]]:
    """Speed-up of every GPU entry over every CPU entry (training: time ratio; inference: docs/s ratio)."""
    out = {}
    for g, c in itertools.product(entries, entries):
        eg, ec = entries[g], entries[c]
        if eg.get("device") == "gpu" and ec.get("device") == "cpu":
            out[f"{g} vs {c}"] = {
                "train_speedup": round(ec["train_seconds"] / eg["train_seconds"], 2),
                "train_speedup_warm": (
                    round(ec["train_seconds_warm"] / eg["train_seconds_warm"], 2)
                    if eg.get("train_seconds_warm") and ec.get("train_seconds_warm")
                    else None
                ),
                "infer_speedup": round(eg["infer_docs_per_s"] / ec["infer_docs_per_s"], 2),
                "step_speedup": _step_speedup(eg, ec),
                "same_sizes": all(eg.get(k) == ec.get(k) for k in ("train_docs", "max_steps", "infer_docs")),
            }
    return out


def _step_speedup(gpu: Dict[str, Any], cpu: Dict[str, Any]) -> Optional[float]:
    g = gpu.get("median_step_seconds") or (gpu.get("train_split") or {}).get("median_step_seconds")
    c = cpu.get("median_step_seconds") or (cpu.get("train_split") or {}).get("median_step_seconds")
    return round(c / g, 2) if g and c else None


def merge(out: Path, new_entries: Dict[str, Dict[str, Any]]) -> Dict[str, Any]:
    data: Dict[str, Any] = {}
    if out.exists():
        data = json.loads(out.read_text(encoding="utf8"))
    data.setdefault("benchmark", "gpu_student: one round of student training + inference, GPU vs CPU (issue #5)")
    data.setdefault("entries", {}).update(new_entries)
    data["ratios"] = ratios(data["entries"])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(data, indent=2, sort_keys=False) + "\n", encoding="utf8")
    return data


def print_table(data: Dict[str, Any]) -> None:
    from wasabi import msg

    rows = [
        (
            label,
            e["device_name"][:60],
            e["train_docs"],
            e["max_steps"],
            f"{e['train_seconds']:.1f}",
            _fmt(e.get("train_seconds_warm"), "{:.1f}"),
            _fmt((e.get("train_split") or {}).get("init_seconds"), "{:.1f}"),
            _fmt(e.get("median_step_seconds") or (e.get("train_split") or {}).get("median_step_seconds"), "{:.0f}", 1000),
            f"{e['infer_docs_per_s']:.1f}",
        )
        for label, e in data["entries"].items()
    ]
    msg.table(rows, header=("label", "device", "docs", "steps", "train s", "warm s", "init s", "step ms", "infer docs/s"), divider=True)
    if data.get("ratios"):
        rows = [
            (
                k,
                f"{v['train_speedup']:.2f}x",
                _fmt(v.get("train_speedup_warm"), "{:.2f}x"),
                _fmt(v.get("step_speedup"), "{:.2f}x"),
                f"{v['infer_speedup']:.2f}x",
                v["same_sizes"],
            )
            for k, v in data["ratios"].items()
        ]
        msg.table(rows, header=("GPU vs CPU", "training", "warm", "per step", "inference", "same sizes"), divider=True)


def _fmt(value: Optional[float], fmt: str, scale: float = 1.0) -> str:
    return "-" if value is None else fmt.format(value * scale)
