"""Student on GPU vs CPU (issue #5): time ONE round of student training, exactly as the loop
trains it (`evokd_spacy.student.train.train_student` with the "trf" preset), and then inference
(`nlp.pipe` over the trained `model-best`), on the device chosen by `--gpu-id`.

    python -m benchmarks.gpu_student --label dev-cpu --gpu-id -1 \
        --random-encoder-from benchmarks/minilm_config
    python -m benchmarks.gpu_student --label device-gpu --gpu-id 0 --repeats 3 \
        --random-encoder-from benchmarks/minilm_config

The encoder is the default student encoder (all-MiniLM-L6-v2, from its package) unless
`--encoder DIR` names a Hugging Face model directory, or `--random-encoder-from DIR` names a
directory with its `config.json` and tokenizer files: then a `BertModel` of that architecture with
RANDOM weights is built in a temporary directory (same shapes, so the same speed; the weights need
not travel to a GPU machine). With either option the encoder package is not imported.

Training docs are the textcat assets (assets/textcat/dev.jsonl + seeds.jsonl) repeated to
`--n-train`; the dev set is the first `--n-dev` of them (repeated if needed). Timing is about speed,
not accuracy. Training seconds are the wall-clock time of `train_student` (initialisation, the
`--max-steps` updates, the evaluations every `--eval-frequency` steps and the model saves), as in
one round of the loop; a `[training] before_update` callback that only notes the time of each
step splits it into initialisation, updates (median step) and evaluations + saves. Inference is
`nlp.pipe` over `--n-infer` texts after `--warmup` texts. `--repeats N` runs N rounds in one process
(as the loop does): the first pays one-time costs (lazy imports, CUDA libraries, cupy's NVRTC kernel
compiles), the later ones are "warm"; the headline numbers are the first round's.

Prints a table and MERGES an entry keyed by `--label` into `--out` (default
benchmarks/results/gpu_student.json), so runs on several machines accumulate in one file:
{"entries": {label: {...}}, "ratios": {"GPU_LABEL vs CPU_LABEL": {...}}}.
`--merge FILE` merges the entries of another such file into `--out` without running anything.
"""
import argparse
import itertools
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # so `python benchmarks/gpu_student.py` finds evokd_spacy from a checkout
    sys.path.insert(0, str(ROOT))

from benchmarks.gpu_results import merge, print_table  # noqa: E402

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

RESULTS = ROOT / "benchmarks" / "results" / "gpu_student.json"
ASSETS = ROOT / "assets" / "textcat"
ENCODER_FILES = (
    "config.json",
    "vocab.txt",
    "tokenizer.json",
    "tokenizer_config.json",
    "special_tokens_map.json",
)
LABELS = {
    "POSITIVE": "The reviewer is overall satisfied with the product, movie, show or book.",
    "NEGATIVE": "The reviewer is overall dissatisfied with the product, movie, show or book.",
}


STEP_TIMES: List[float] = []  # perf_counter() at each training step (before its update)


def register_step_timer() -> Dict[str, Any]:
    """A `[training] before_update` callback that only notes the time of each step (no other effect)."""
    import spacy

    def make_step_timer():
        def step_timer(nlp: Any, info: Dict[str, Any]) -> None:
            STEP_TIMES.append(time.perf_counter())

        return step_timer

    spacy.registry.callbacks.register("evokd_bench.step_timer.v1", func=make_step_timer)
    return {"training.before_update": {"@callbacks": "evokd_bench.step_timer.v1"}}


def split_train_time(start: float, end: float, eval_frequency: int) -> Dict[str, Any]:
    """Training wall time as initialisation + updates + (evaluations, checkpoint saves, final save).

    Intervals between steps that start at an evaluation step hold an update plus an evaluation (and a
    save of model-best when it improved); the others hold one update, whose median is the step time.
    """
    times = list(STEP_TIMES)
    if len(times) < 3:
        return {}
    gaps = [b - a for a, b in zip(times, times[1:])]
    plain = sorted(g for k, g in enumerate(gaps) if k % eval_frequency)
    median = plain[len(plain) // 2]
    init = times[0] - start
    updates = median * len(times)
    return {
        "init_seconds": round(init, 3),
        "steps_run": len(times),
        "median_step_seconds": round(median, 4),
        "updates_seconds_est": round(updates, 3),
        "eval_and_save_seconds_est": round(end - start - init - updates, 3),
    }


def copy_encoder_files(src: Path, dest: Path) -> List[str]:
    """Copy a model directory's config and tokenizer files (never its weights) into `dest`."""
    dest.mkdir(parents=True, exist_ok=True)
    copied = []
    for name in ENCODER_FILES:
        if (src / name).is_file():
            shutil.copy2(src / name, dest / name)
            copied.append(name)
    if "config.json" not in copied:
        raise SystemExit(f"--random-encoder-from {src}: no config.json there")
    return copied


def random_encoder(src: Path, dest: Path, seed: int = 0) -> Path:
    """A BertModel with `src`'s architecture and tokenizer but random weights, saved in `dest`."""
    import torch
    from transformers import BertConfig, BertModel

    copy_encoder_files(src, dest)
    torch.manual_seed(seed)
    model = BertModel(BertConfig.from_pretrained(str(src)))
    model.save_pretrained(str(dest))
    return dest


def write_profile(profiler: Any, path: Path) -> None:
    """The training profile's top functions by own time and by cumulative time, as text."""
    import io
    import pstats

    out = io.StringIO()
    for key in ("tottime", "cumulative"):
        pstats.Stats(profiler, stream=out).sort_stats(key).print_stats(40)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(out.getvalue(), encoding="utf8")


def read_samples() -> List[Tuple[str, str]]:
    samples = []
    for name in ("dev.jsonl", "seeds.jsonl"):
        for line in (ASSETS / name).read_text(encoding="utf8").splitlines():
            if line.strip():
                row = json.loads(line)
                samples.append((row["text"], row["label"]))
    return samples


def write_docbin(samples: List[Tuple[str, str]], path: Path) -> None:
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    db = DocBin()
    for text, label in samples:
        doc = nlp.make_doc(text)
        doc.cats = {name: float(name == label) for name in LABELS}
        db.add(doc)
    db.to_disk(path)


def environment(gpu_id: int) -> Dict[str, Any]:
    from importlib.metadata import version

    import spacy
    import torch

    env: Dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "torch_cuda": torch.version.cuda,
        "spacy": spacy.__version__,
        "thinc": version("thinc"),
        "spacy_transformers": version("spacy-transformers"),
        "transformers": version("transformers"),
        "cuda_available": torch.cuda.is_available(),
    }
    try:
        import cupy

        env["cupy"] = cupy.__version__
    except Exception:  # no cupy: fine on CPU
        env["cupy"] = None
    if gpu_id >= 0:
        env["device_name"] = torch.cuda.get_device_name(gpu_id)
    else:
        cpu = platform.processor() or ""
        try:
            for line in Path("/proc/cpuinfo").read_text().splitlines():
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
        except OSError:
            pass
        env["device_name"] = f"CPU {cpu.replace('(R)', '')}, {os.cpu_count()} cores"
    return env


def run(args: argparse.Namespace) -> Dict[str, Any]:
    import spacy

    from evokd_spacy.student.train import DEFAULT_ENCODER, resolve_encoder
    from evokd_spacy.ty import TaskSpec

    tmp = Path(tempfile.mkdtemp(prefix="evokd_gpu_student_"))
    try:
        if args.encoder:
            encoder, encoder_kind = args.encoder, "given"
        elif args.random_encoder_from:
            start = time.perf_counter()
            encoder = str(random_encoder(Path(args.random_encoder_from), tmp / "encoder", args.seed))
            encoder_kind = f"random weights, architecture of {args.random_encoder_from}"
            print(f"random encoder built in {time.perf_counter() - start:.1f}s", flush=True)
        else:
            encoder, encoder_kind = resolve_encoder(DEFAULT_ENCODER), DEFAULT_ENCODER

        samples = read_samples()
        train = list(itertools.islice(itertools.cycle(samples), args.n_train))
        dev = list(itertools.islice(itertools.cycle(samples), args.n_dev))
        texts = [text for text, _ in itertools.islice(itertools.cycle(samples), args.warmup + args.n_infer)]
        write_docbin(train, tmp / "train.spacy")
        write_docbin(dev, tmp / "dev.spacy")

        env = environment(args.gpu_id)
        cuda_init_s = None
        if args.gpu_id >= 0:  # CUDA context + allocator up front, so it is reported apart
            import torch

            start = time.perf_counter()
            spacy.require_gpu(args.gpu_id)
            torch.zeros(1, device=f"cuda:{args.gpu_id}").sum().item()
            cuda_init_s = time.perf_counter() - start

        spec = TaskSpec(kind="textcat", description="Sentiment of a product or media review.", labels=dict(LABELS))
        settings = {
            "preset": "trf",
            "encoder": encoder,
            "gpu_id": args.gpu_id,
            "max_steps": args.max_steps,
            "eval_frequency": args.eval_frequency,
            "seed": args.seed,
            "overrides": register_step_timer(),
        }
        rounds = []
        for i in range(args.repeats):
            out_dir = tmp / f"out{i}"
            print(f"[{args.label}] round {i + 1}/{args.repeats}: training on {len(train)} docs, {args.max_steps} steps, gpu_id={args.gpu_id}", flush=True)
            rounds.append(one_round(args, spec, settings, tmp, out_dir, texts, profile=args.profile if i == 0 else None))
            print(f"[{args.label}] round {i + 1}: trained in {rounds[-1]['train_seconds']:.1f}s, inference {rounds[-1]['infer_docs_per_s']:.1f} docs/s", flush=True)
            if not args.keep:
                shutil.rmtree(out_dir, ignore_errors=True)
        first, last = rounds[0], rounds[-1]
        return {
            "label": args.label,
            "device": "gpu" if args.gpu_id >= 0 else "cpu",
            "gpu_id": args.gpu_id,
            "device_name": env.pop("device_name"),
            "encoder": encoder_kind,
            "train_docs": len(train),
            "dev_docs": len(dev),
            "max_steps": args.max_steps,
            "eval_frequency": args.eval_frequency,
            "repeats": args.repeats,
            "train_seconds": first["train_seconds"],
            "train_seconds_warm": last["train_seconds"] if len(rounds) > 1 else None,
            "train_split": first["train_split"],
            "median_step_seconds": last["train_split"].get("median_step_seconds"),
            "cuda_init_seconds": None if cuda_init_s is None else round(cuda_init_s, 3),
            "cats_score": first["cats_score"],
            "infer_docs": first["infer_docs"],
            "infer_warmup_docs": args.warmup,
            "infer_batch_size": first["infer_batch_size"],
            "infer_seconds": first["infer_seconds"],
            "infer_docs_per_s": first["infer_docs_per_s"],
            "rounds": rounds,
            "environment": env,
            "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "command": " ".join([Path(sys.executable).name] + sys.argv),
        }
    finally:
        if args.keep:
            print(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def one_round(args: argparse.Namespace, spec: Any, settings: Dict[str, Any], tmp: Path, out_dir: Path, texts: List[str], profile: Optional[Path]) -> Dict[str, Any]:
    """One round as the loop runs it: train_student, then load model-best and pipe `texts`."""
    import spacy

    from evokd_spacy.student.train import train_student

    STEP_TIMES.clear()
    profiler = None
    if profile:  # cProfile slows Python down: profiled timings are for attribution only
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    start = time.perf_counter()
    result = train_student(spec, settings, tmp / "train.spacy", tmp / "dev.spacy", out_dir)
    end = time.perf_counter()
    if profiler is not None:
        profiler.disable()
        write_profile(profiler, profile)

    if args.gpu_id >= 0:
        spacy.require_gpu(args.gpu_id)
    else:
        spacy.require_cpu()
    load_start = time.perf_counter()
    nlp = spacy.load(out_dir / "model-best")
    load_s = time.perf_counter() - load_start
    batch_size = args.batch_size or nlp.batch_size
    for _ in nlp.pipe(texts[: args.warmup], batch_size=batch_size):
        pass
    infer_start = time.perf_counter()
    n = 0
    for doc in nlp.pipe(texts[args.warmup :], batch_size=batch_size):
        n += bool(doc.cats)
    infer_s = time.perf_counter() - infer_start
    return {
        "train_seconds": round(end - start, 3),
        "train_seconds_reported": round(result["seconds"], 3),
        "train_split": split_train_time(start, end, args.eval_frequency),
        "cats_score": result["performance"].get("cats_score"),
        "load_seconds": round(load_s, 3),
        "infer_docs": n,
        "infer_batch_size": batch_size,
        "infer_seconds": round(infer_s, 3),
        "infer_docs_per_s": round(n / infer_s, 2),
    }


def main(argv: Optional[List[str]] = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--label", help="key of this run's entry in --out, e.g. dev-cpu, device-cpu, device-gpu")
    parser.add_argument("--gpu-id", type=int, default=-1, help="CUDA device for training and inference; -1: CPU")
    parser.add_argument("--encoder", help="a Hugging Face model directory to use as the encoder")
    parser.add_argument("--random-encoder-from", help="directory with config.json + tokenizer files: random-weight encoder")
    parser.add_argument("--n-train", type=int, default=200)
    parser.add_argument("--n-dev", type=int, default=100)
    parser.add_argument("--max-steps", type=int, default=60)
    parser.add_argument("--eval-frequency", type=int, default=20)
    parser.add_argument("--n-infer", type=int, default=1000)
    parser.add_argument("--warmup", type=int, default=64)
    parser.add_argument("--batch-size", type=int, default=0, help="nlp.pipe batch size; 0: the pipeline's own")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeats", type=int, default=1, help="rounds in one process: the first pays one-time costs (imports, GPU kernel compiles), later ones are warm")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--merge", type=Path, nargs="*", help="merge these results files' entries into --out and stop")
    parser.add_argument("--profile", type=Path, help="write a cProfile summary of the first round's training to this text file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (data, encoder, model)")
    args = parser.parse_args(argv)
    if args.merge:
        entries: Dict[str, Dict[str, Any]] = {}
        for path in args.merge:
            entries.update(json.loads(path.read_text(encoding="utf8"))["entries"])
        print_table(merge(args.out, entries))
        return
    if not args.label:
        parser.error("--label is required (unless --merge)")
    entry = run(args)
    data = merge(args.out, {args.label: entry})
    print_table(data)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
