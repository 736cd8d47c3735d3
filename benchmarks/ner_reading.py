"""How the teacher's NER answers are read, before and after a change (session 19, issue #9).

    python -m benchmarks.ner_reading OLD_REV

WNUT-17, 200 dev sentences (subset a), NERLabel.v1 with the seed exemplars, local teacher: its
answers (cached under benchmarks/runs/) are read by `evokd_spacy/tasks/ner/parse.py` and
`align.py` as they are at git revision OLD_REV and as they are now, in all four combinations.
Prints teacher-alone entity F1 (an unreadable answer counts as no entities), the F1 of the
sentences a run would keep (unreadable answers are dropped), and writes
benchmarks/results/ner_reading.json."""
import json
import subprocess
import sys
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
from benchmarks.teacher_techniques import NER_VARIANTS, dev_subset
from benchmarks import datasets
from benchmarks.run import RUNS, Bench, write_split
from benchmarks.suites import SUITES
from evokd_spacy.loop.teacher_eval import evaluate_teacher
from evokd_spacy.data.readers import read_samples
from evokd_spacy.teachers.cache import IO_KEY

DATA = ROOT.parent / "shared" / "data"


def main(old_rev: str) -> None:
    """Label (or read from the cache) the 200 sentences, then read the answers four ways."""
    ds = datasets.load("wnut17", DATA)
    bench = Bench(ds, SUITES["quick"], "local", "trf", str(ROOT / "assets" / "teacher" / "qwen2.5-coder-0.5b-instruct"), RUNS)
    dev = dev_subset(ds.dev, 200, "a")
    settings = bench.settings("teacher_ner_v1_s19", 1, 0, {"teacher.label": NER_VARIANTS["ner_v1"]})
    settings.paths["dev"] = str(bench.dir / "data" / "dev_200.jsonl")
    write_split(Path(settings.paths["dev"]), dev, ds.kind)
    out = evaluate_teacher(settings)
    print("teacher-alone (new code):", out["score"], out["docs_per_second"])

    # the raw answers, from the run's cache, in dev order
    from evokd_spacy.loop.teacher import build_teacher, prepare_labelling
    from evokd_spacy.loop.kinds import get_kind
    from evokd_spacy.loop.state import RunFolder
    from evokd_spacy.data.kshot import sample_k_shot
    import spacy
    spec, kind = settings.spec, get_kind("ner")
    folder = RunFolder(settings.output, settings.corpus, settings.cache)
    teacher = build_teacher(settings.teacher_config, spec, folder.cache, progress=False)
    seeds = sample_k_shot(read_samples(settings.paths["seeds"], "paths.seeds"), spec.label_names, 1, 0)
    prepare_labelling(teacher, [kind.example(s) for s in seeds])
    nlp = spacy.blank("en")
    docs = teacher.client.run(teacher.label, [nlp.make_doc(s.text) for s in dev], desc="cached")
    assert teacher.client.usage.calls == 0, "answers should all be cached"
    raws = [d.user_data[IO_KEY]["response"] for d in docs]

    def module_at(rev, path, name):
        src = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:{path}"], capture_output=True, text=True, check=True).stdout
        mod = types.ModuleType(name); mod.__dict__["__package__"] = "evokd_spacy.tasks.ner"; exec(compile(src, name, "exec"), mod.__dict__); return mod

    labels = list(spec.label_names)
    def score(parse, align):
        tp = fp = fn = 0; ktp = kfp = kfn = 0; errors = 0
        for sample, raw in zip(dev, raws):
            doc = nlp.make_doc(sample.text)
            ents, err = parse(raw)
            spans = [] if err else align(doc, ents, labels)[0]
            gold = {tuple(s) for s in sample.spans}; pred = {tuple(s) for s in spans}
            a, b, c = len(gold & pred), len(pred - gold), len(gold - pred)
            tp += a; fp += b; fn += c
            if err: errors += 1
            else: ktp += a; kfp += b; kfn += c
        f = lambda t, p, n: round(2 * t / (2 * t + p + n), 4) if t else 0.0
        return {"errors": errors, "f1_all": f(tp, fp, fn), "f1_kept": f(ktp, kfp, kfn), "kept_fn": kfn, "kept_fp": kfp, "kept_tp": ktp}

    old_parse = module_at(old_rev, "evokd_spacy/tasks/ner/parse.py", "old_parse").parse_entities
    old_align = module_at(old_rev, "evokd_spacy/tasks/ner/align.py", "old_align").align_entities
    from evokd_spacy.tasks.ner.parse import parse_entities as cur_parse
    from evokd_spacy.tasks.ner.align import align_entities as cur_align
    rows = {"old parse, old align": score(old_parse, old_align), "old parse, new align": score(old_parse, cur_align),
            "new parse, old align": score(cur_parse, old_align), "new parse, new align": score(cur_parse, cur_align)}
    for k, v in rows.items():
        print(k, v)
    (ROOT / "benchmarks" / "results" / "ner_reading.json").write_text(json.dumps({"old_rev": old_rev, "teacher_alone_new": out["score"], "rows": rows}, indent=2))


if __name__ == "__main__":
    main(sys.argv[1])
