"""The EvoKD loop: round 0 trains on the seeds; each later round analyses, generates, labels,
filters, writes its batch and retrains the student with replay of earlier batches.

Every step saves its output before the next starts, and a step whose output exists is not
run again, so a run that is killed at any point continues where it stopped.
"""
import random
import time
from dataclasses import replace
from typing import Any, Callable, Dict, List, Optional, Set, Tuple

from wasabi import msg

from ..student.docs import predict, write_docbin
from ..student.language import text_nlp
from ..student.train import train_student
from ..teachers.budget import TeacherUsage
from ..ty import Sample
from ..review.store import read_batch, reviewed_texts
from ..util.io import atomic_write_jsonl, read_jsonl_lenient
from . import pool_steps, steps
from .integrity import check_run_files
from .kinds import get_kind
from .filters import count_reasons, filter_labels, filter_texts, items_to_samples, normalise
from .model_best import publish_best
from .round_metrics import rescored, round_metrics
from .run_data import read_run_data, seeds_as_written
from .table import print_rounds
from .run_identity import check_samples_read, claim_run_folder
from .settings import RunSettings, calls_label_task
from .state import RunFolder
from .teacher import Teacher, build_teacher, loop_budget, prepare_labelling


class EvoKDRunner:
    """Runs (or resumes) the rounds of one EvoKD run described by `settings`."""

    def __init__(self, settings: RunSettings, quiet: bool = False) -> None:
        self.settings = settings
        self.spec = settings.spec
        self.kind = get_kind(settings.spec.kind, settings.spec.exclusive)
        self.folder = RunFolder(settings.output, settings.corpus, settings.cache)
        self.nlp = text_nlp(settings.spec)
        self.quiet = quiet
        self._teacher: Optional[Teacher] = None
        self.seeds: List[Sample] = []
        self._prepared = False  # the seeds have been read (prepare)
        self.held_out: set = set()
        self._warned_leaks: Set[Tuple[int, int]] = set()  # (round, count) of imported reviews left out as leakage
        self.dev: List[Sample] = []
        self.pool: List[str] = []  # unlabelled pool texts ([pool] path), seeds and dev/test left out
        self._strategy: Any = None
        self._students: Dict[int, Any] = {}  # the latest round's loaded student, shared by its steps

    @property
    def teacher(self) -> Teacher:
        if self._teacher is None:
            loop = self.settings.loop
            budget = loop_budget(self.folder.ledger, loop)
            self._teacher = build_teacher(
                self.settings.teacher_config, self.spec, self.folder.cache, progress=loop["progress"], budget=budget
            )
            if self._prepared:
                self._prepare_labelling()
        return self._teacher

    def _prepare_labelling(self) -> None:
        """Give the labeller the seed exemplars, its calibration and the exemplar choice. Needs the
        seeds, so a teacher built before `prepare` (to inspect it) gets them when `prepare` reads them."""
        examples, labels = [self.kind.example(s) for s in self.shown_seeds()], calls_label_task(self.settings)
        prepare_labelling(self._teacher, examples, labels=labels)
        if labels:
            from .label_choice import make_choices

            make_choices(self._teacher, self.kind, self.spec, examples, self.dev, self.settings.loop, self.folder.output, int(self.settings.task["seed"]))

    # ---- data ---------------------------------------------------------------------------
    def prepare(self) -> None:
        """Read and check seeds and dev data, sample the k-shot seeds, write round 0's batch."""
        data = read_run_data(self.settings)  # before the folder is claimed: a data error leaves it free for the fixed run
        claim_run_folder(self.folder, self.settings)
        check_samples_read(self.folder, {"paths.dev": data.dev, "paths.test": data.test})
        check_run_files(self.folder, int(self.settings.loop["rounds"]))
        self.seeds, self.dev, self.held_out = seeds_as_written(self.folder, data.seeds), data.dev, data.held_out
        if not self._prepared:
            self._prepared = True
            if self._teacher is not None:
                self._prepare_labelling()
        write_docbin(self.folder.dev_docbin, self.nlp, self.dev, self.spec, self.kind)
        if self.settings.pool["path"]:
            from ..pool.reader import read_pool
            from ..pool.strategies import resolve_strategy

            self.pool = read_pool(self.settings.pool["path"], "pool.path", self.held_out | {normalise(s.text) for s in self.seeds}, self.spec.lang)
            self._strategy = resolve_strategy(self.settings.pool["strategy"])
        if not self.folder.round_jsonl(0).exists():
            self._write_batch(0, self.seeds, [])

    def batch(self, r: int) -> List[Sample]:
        """The samples kept in round r (round 0: the seeds), with reviewed answers applied; a
        reviewed text added to the round that is also a dev or test text is left out."""
        samples = read_batch(self.folder, r)
        kept = [s for s in samples if not (s.tag == "reviewed" and normalise(s.text) in self.held_out)]
        leaked = len(samples) - len(kept)
        if leaked and (r, leaked) not in self._warned_leaks:
            self._warned_leaks.add((r, leaked))
            msg.warn(f"Round {r}: left out {leaked} imported review(s) of text(s) from the dev or test data (leakage).")
        return kept

    def shown_seeds(self) -> List[Sample]:
        """The seeds as the teacher is shown them (exemplars, generation examples): with their
        imported reviews applied once round 0 is written (a rejected seed is left out)."""
        return self.batch(0) if self.folder.round_jsonl(0).exists() else list(self.seeds)

    def known_texts(self, r: int) -> Set[str]:
        """Normalised texts of the seeds and rounds 1..r-1 as written, rejected ones included, and of
        every review of rounds 0..r-1: a new text that matches one is a duplicate."""
        texts = {normalise(s.text) for s in self.seeds}
        for k in range(1, r):
            texts |= {normalise(str(row.get("text", ""))) for row in read_jsonl_lenient(self.folder.round_jsonl(k))}
        return texts | reviewed_texts(self.folder, range(r))

    def training_samples(self, r: int) -> List[Sample]:
        """Seeds (with their reviews) plus rounds 1..r; earlier rounds are replayed in full or in part (`loop.replay`)."""
        replay = float(self.settings.loop["replay"])
        rng = random.Random(int(self.settings.task["seed"]) + r)
        samples = self.batch(0)
        for earlier in range(1, r + 1):
            batch = self.batch(earlier)
            if earlier < r and replay < 1.0:
                batch = rng.sample(batch, k=int(len(batch) * replay + 0.5))  # half up: round() halves to even (1 x 0.5 -> 0)
            samples += batch
        return samples

    def _write_batch(self, r: int, kept: List[Sample], dropped: List[Dict[str, Any]]) -> None:
        atomic_write_jsonl(self.folder.round_dir(r) / "drops.jsonl", dropped)
        write_docbin(self.folder.round_docbin(r), self.nlp, kept, self.spec, self.kind)
        atomic_write_jsonl(self.folder.round_jsonl(r), [s.to_dict() for s in kept])

    # ---- steps --------------------------------------------------------------------------
    def _step(self, r: int, name: str, fn: Callable[[], Dict[str, Any]]) -> Dict[str, Any]:
        """Run step `name` of round r unless its output exists; record its time and teacher use."""
        if self.folder.is_done(r, name):
            return self.folder.load_step(r, name)
        before = self._teacher.client.usage.copy() if self._teacher else TeacherUsage()
        start = time.perf_counter()
        out = fn()
        after = self._teacher.client.usage if self._teacher else TeacherUsage()
        out["step_seconds"] = time.perf_counter() - start
        out["step_teacher"] = after.minus(before).to_dict()
        self.folder.save_step(r, name, out)
        return out

    def run_round(self, r: int) -> Dict[str, Any]:
        """Run or resume round r; returns its metrics line."""
        loop = self.settings.loop
        if r > 0:
            generated, checked, labelled = {"items": [], "rejects": []}, {"items": [], "dropped": []}, {"items": []}
            if loop["generate"]:  # off: the round takes pool texts only
                generated, checked, labelled = self._generation_steps(r)
            pooled: List[Dict[str, Any]] = []
            if self.pool:
                selected = self._step(r, "select", lambda: self._select(r, checked["items"]))
                pooled = self._step(r, "revise", lambda: {"items": self._revise(r, selected["selected"])})["items"]
            self._step(r, "filter", lambda: self._filter(r, generated, checked, labelled["items"], pooled))
        train = self._step(r, "train", lambda: self._train(r))
        line = self._step(r, "metrics", lambda: self._metrics(r, train))
        changed = rescored(line, train, self.kind)
        if changed is not None:  # scored by another metric before: every round must be scored alike
            self.folder.save_step(r, "metrics", changed)
            self.folder.append_metrics(changed)
            publish_best(self.folder, self.folder.counted_metrics(), self.teacher_info())
        return changed or line

    def _generation_steps(self, r: int) -> Any:
        """EvoKD's steps: test the student, analyse, generate, check and label new texts."""
        loop = self.settings.loop
        split, analysis = {"correct": [], "wrong": []}, ""
        if loop["feedback"]:  # off: static generation, no student in the loop (a baseline)
            newest, tester = self.newest_batch(r)
            split = self._step(r, "predict", lambda: self._predict(tester, newest))
            if not loop["analysis_shows_correct"]:  # ablation: the teacher sees the errors only
                split = {**split, "correct": [], "n_correct": len(split["correct"])}
            analysis = self._step(r, "analyse", lambda: steps.analyse(self.teacher, split, r)).get("analysis", "")
        generated = self._step(r, "generate", lambda: self._generate(r, analysis, split))
        checked = self._step(r, "check", lambda: self._check_texts(r, generated["items"]))
        labelled = self._step(r, "label", lambda: {"items": self._label(r, checked["items"])})
        return generated, checked, labelled

    def _generate(self, r: int, analysis: str, split: Dict[str, Any]) -> Dict[str, Any]:
        """Ask for round r's new texts. Without feedback this is the round's first use of the
        teacher, so building it (calibration, dev choices) happens here and is counted in this step."""
        loop = self.settings.loop
        requests = steps.requests_for(self.teacher.generate, self.spec, analysis, split, self.shown_seeds(), loop, r)
        repeat_size = len(requests) // max(1, int(loop["requests_per_label"]))
        return steps.generate(self.teacher, requests, r, repeat_size, int(loop["round_tokens"]))

    def _select(self, r: int, written: List[Dict[str, Any]]) -> Dict[str, Any]:
        """Score the pool texts not taken yet, nor known to the run or `written` this round, with the
        round-before student and pick this round's."""
        from ..pool.context import SelectionContext

        pool = self.settings.pool
        # earlier picks by their text: their index in the pool as read then may differ (another dedup key)
        picked = [row for k in range(1, r) if self.folder.is_done(k, "select") for row in self.folder.load_step(k, "select")["selected"]]
        seed = int(self.settings.task["seed"])
        known = self.known_texts(r) | {normalise(str(item.get("text", ""))) for item in written + picked}
        texts = pool_steps.candidate_texts(self.pool, set(), int(pool["max_candidates"]), seed, r, known)
        if len(texts) < int(pool["per_round"]) and not self.quiet:
            msg.warn(pool_steps.short_pool_warning(r, len(texts), int(pool["per_round"]), bool(self.settings.loop["generate"])))
        if not self.quiet:
            msg.text(f"Round {r}: scoring {len(texts)} pool texts with the student of round {r - 1}")
        candidates = pool_steps.score_pool(self.student(r - 1), texts, self.spec, self.kind)
        context = SelectionContext(self.spec, self.kind, r, seed, lambda: self.teacher)
        return pool_steps.select(self._strategy, candidates, int(pool["per_round"]), context)

    def _revise(self, r: int, selected: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        if not self.settings.pool["revise"]:  # ablation: label from scratch, as for generated texts
            return pool_steps.label_from_scratch(self.teacher, self.kind, self.nlp, selected, r)
        return pool_steps.revise(self.teacher, self.kind, self.nlp, selected, r, bool(self.settings.pool["reasons"]))

    def student(self, r: int) -> Any:
        """Round r's trained student, loaded once for the next round's predict, select and filter steps."""
        if r not in self._students:
            import spacy

            gpu_id = int(self.settings.student.get("gpu_id", -1))
            if gpu_id >= 0:  # training puts spaCy on the GPU; a resumed run may predict before it trains
                spacy.require_gpu(gpu_id)
            self._students = {r: spacy.load(self.folder.round_model(r))}
        return self._students[r]

    def newest_batch(self, r: int) -> Tuple[List[Sample], int]:
        """The batch round r tests the student on, and the round whose student tests it. With
        `test_before_training` that is the student from before it trained on the batch, so the
        teacher hears what the student gets wrong on new texts, not whether it fits its training
        data; the seeds (round 1, or after a round that kept nothing) are tested by the round before."""
        batch = self.batch(r - 1)
        if not batch:
            return list(self.seeds), r - 1
        return batch, r - 2 if r > 1 and self.settings.loop["test_before_training"] else r - 1

    def _predict(self, tester: int, batch: List[Sample]) -> Dict[str, Any]:
        nlp = self.student(tester)
        split = steps.split_predictions(self.kind, batch, predict(nlp, [s.text for s in batch], self.spec, self.kind))
        return {**split, "student_round": tester}

    def _label(self, r: int, items: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
        if self.settings.loop["separate_labelling"]:
            return steps.label(self.teacher, self.kind, self.nlp, items, r)
        return steps.label_by_target(items)  # ablation / static baselines: the label asked for is the label

    def _check_texts(self, r: int, items: List[Dict[str, Any]]) -> Dict[str, Any]:
        kept, dropped = filter_texts(items, self.known_texts(r), self.held_out, self.settings.loop["near_duplicate"])
        return {"items": kept, "dropped": dropped}

    def _filter(
        self, r: int, generated: Dict[str, Any], checked: Dict[str, Any], labelled: List[Dict[str, Any]], pooled: List[Dict[str, Any]]
    ) -> Dict[str, Any]:
        loop = self.settings.loop
        min_confidence, agreement = float(loop["min_confidence"]), bool(loop["require_target_agreement"])
        kept, dropped = filter_labels(labelled, self.spec, min_confidence, agreement, self.kind.allows_no_label)
        dropped = [{**rej, "text": rej.get("line", "")} for rej in generated["rejects"]] + checked["dropped"] + dropped
        out: Dict[str, Any] = {"generated": len(generated["items"])}
        if self.pool:
            pool_kept, pool_dropped = filter_labels(pooled, self.spec, min_confidence, False, self.kind.allows_no_label)
            pool_kept, pool_dropped = pool_steps.drop_known(pool_kept, pool_dropped, self.known_texts(r), kept)
            pool_steps.mark_student_errors(self.student(r - 1), self.kind, self.spec, kept)
            out["sources"] = {"generated": pool_steps.source_counts(labelled, kept), "pool": pool_steps.source_counts(pooled, pool_kept)}
            kept, dropped = kept + pool_kept, dropped + pool_dropped
        self._write_batch(r, items_to_samples(kept, r), dropped)
        return {**out, "kept": len(kept), "dropped": count_reasons(dropped)}

    def _train(self, r: int) -> Dict[str, Any]:
        samples = self.training_samples(r)
        if self.settings.loop["unsure_entity_tokens"] == "outside":  # an ablation: the behaviour before session 15
            samples = [replace(s, meta={k: v for k, v in s.meta.items() if k != "entity_drops"}) for s in samples]
        n = write_docbin(self.folder.train_docbin(r), self.nlp, samples, self.spec, self.kind)
        student = {**self.settings.student, "seed": self.settings.task["seed"], "progress": self.settings.loop["progress"] and not self.quiet}
        warm = self.folder.round_model(r - 1) if r > 0 and student.get("warm_start") else None
        if not self.quiet:
            msg.text(f"Round {r}: training the student on {n} docs" + (" (warm start)" if warm else ""))
        result = train_student(
            self.spec, student, self.folder.train_docbin(r), self.folder.dev_docbin, self.folder.round_dir(r) / "model", warm
        )
        if result["untrained_best"] and not self.quiet:
            msg.warn(
                f"Round {r}: no trained checkpoint beat the untrained network (step 0) on dev; keeping the last "
                "checkpoint. The student may need more [student] max_steps."
            )
        keep = ("checkpoints", "best_step", "untrained_best")
        return {"n_train": n, "performance": result["performance"], "training_seconds": result["seconds"], **{k: result[k] for k in keep}}

    def _metrics(self, r: int, train: Dict[str, Any]) -> Dict[str, Any]:
        line = round_metrics(self.folder, r, train, len(self.seeds), self.kind)
        self.folder.append_metrics(line)
        publish_best(self.folder, self.folder.counted_metrics(), self.teacher_info())
        if not self.quiet:
            print_rounds([line], header=r == 0)
        return line

    def teacher_info(self) -> Dict[str, Any]:
        from .teacher import teacher_name

        return {"teacher": teacher_name(self.settings.teacher_config["model"]), "task": self.spec.kind,
                "task_description": self.spec.description}

    def run(self) -> List[Dict[str, Any]]:
        """Run all rounds (resuming finished ones) and return the metrics lines."""
        self.prepare()
        rounds = int(self.settings.loop["rounds"])
        later = sorted(m["round"] for m in self.folder.read_metrics() if m["round"] > rounds)
        if later:
            msg.warn(f"Round(s) {', '.join(map(str, later))} of this run are finished but beyond [loop] rounds = {rounds}: "
                     "they stay on disk, and model-best, the table and the report leave them out. "
                     f"Continue with --loop.rounds {later[-1]} to count them again.")
        for r in range(rounds + 1):
            self.run_round(r)
        metrics = self.folder.counted_metrics()
        publish_best(self.folder, metrics, self.teacher_info())  # also brings back a deleted model-best
        if not self.quiet:
            msg.good(f"Done. Best student: {self.folder.model_best}")
            print_rounds(metrics, header=True)
        return metrics
