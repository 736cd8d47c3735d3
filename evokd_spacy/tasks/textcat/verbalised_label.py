"""Labelling with verbalisers (`evokd.TextCatLabel.v3`): each label is scored through several
words, so that a small model that would never write "ABBR" can still answer "abbreviation".

A label's verbalisers are its name, the name in lower case, and the first noun after "a"/"an" in
its description ("The question asks for an abbreviation ..." gives "abbreviation"), or the words
given in `verbalizers`. The prompt lists each label as "word / ... (NAME)" and asks for the label
word (listing the names first made Qwen2.5-Coder-0.5B answer the names, and the words added
little: TREC-6 dev 0.295 -> 0.328 over calibration alone); the local model scores
every verbaliser by log-probability and a label's score is the log-sum-exp of its verbalisers'.
Content-free calibration (v2) is applied to these label scores. A model that only answers in
text is read by finding any verbaliser in its first line.
"""
import math
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

from spacy.tokens import Doc

from ...errors import ConfigError
from ...llm_io import ChoicePrompt, softmax
from ...registry import registry
from ..base import examples_for_prompt
from ..parsing import read_label_mentions
from ..request import set_result
from .calibrated_label import CONTENT_FREE, CalibratedTextCatLabelTask

_FIRST_NOUN = re.compile(r"\ban?\s+([A-Za-z][A-Za-z-]{2,})")


def derive_verbalizers(label: str, description: str) -> List[str]:
    """The label name, its lower case, and the word after the description's first "a"/"an"."""
    words = [label, label.lower().replace("_", " ")]
    match = _FIRST_NOUN.search(description or "")
    if match:
        words.append(match.group(1).lower())
    return list(dict.fromkeys(words))


_LIST_SEPARATORS = re.compile(r",|:|;|\bor\b|\band\b")
_ARTICLE = re.compile(r"^(?:an?|the)\s+")
_AND_SO_ON = re.compile(r"\b(?:and|or) the like\b|\betc\b|\band so on\b")


def derive_listed_verbalizers(label: str, description: str) -> List[str]:
    """`derive_verbalizers` plus every one-word item listed in the description's first sentence
    after its first "a"/"an": "asks for a number: a count, date, distance and the like" gives
    number, count, date and distance; several-word items ("the like", "group of people") are left out."""
    words = derive_verbalizers(label, description)
    match = _FIRST_NOUN.search(description or "")
    if match:
        sentence = _AND_SO_ON.sub("", description[match.start():].split(".")[0].lower())
        for item in _LIST_SEPARATORS.split(sentence):
            item = _ARTICLE.sub("", item.strip())
            if re.fullmatch(r"[a-z][a-z-]{2,}", item):
                words.append(item)
    return list(dict.fromkeys(words))


def logsumexp(values: Sequence[float]) -> float:
    """log(sum(exp(v))) without overflow."""
    top = max(values)
    return top + math.log(sum(math.exp(v - top) for v in values))


class VerbalisedTextCatLabelTask(CalibratedTextCatLabelTask):
    """TextCatLabel.v2 whose labels are scored through their verbalisers."""

    default_template = "label_verbalised.jinja"
    template_dir = Path(__file__).parent
    derive = staticmethod(derive_verbalizers)

    max_shown = 8  # exemplars a prompt shows at most, whatever `few_shot` allows

    def __init__(self, verbalizers: Optional[Dict[str, List[str]]] = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.verbalizers = {k: list(v) for k, v in (verbalizers or {}).items()}
        unknown = sorted(set(self.verbalizers) - set(self.labels)) if self.labels else []
        if unknown:
            raise ConfigError(f"[teacher.label] verbalizers name label(s) {', '.join(unknown)} that are not in the label set "
                              f"({', '.join(self.labels)}).")

    def words(self, label: str) -> List[str]:
        """The verbalisers of one label (given, or derived from its name and description)."""
        given = self.verbalizers.get(label)
        return list(dict.fromkeys([label] + given)) if given else self.derive(label, self.label_definitions.get(label, ""))

    def prompt_for(self, doc: Doc) -> ChoicePrompt:
        shown = {label: self.display(label) for label in self.labels}
        text = self.render(text=doc.text, words=shown, examples=examples_for_prompt(self.examples, self.max_shown))
        choices = list(dict.fromkeys(w for label in self.labels for w in self.words(label)))
        return ChoicePrompt(text, choices)

    def display(self, label: str) -> str:
        """How the prompt names a label: its word-like verbalisers first, then the name in
        brackets ("abbreviation (ABBR)"), so that a small model answers with a word it knows."""
        words = [w for w in self.words(label) if w not in (label, label.lower().replace("_", " "))]
        return f"{' / '.join(words)} ({label})" if words else label

    def label_scores(self, scores: Dict[str, float]) -> Dict[str, float]:
        """Per-label log-scores: log-sum-exp over the label's verbalisers."""
        return {label: logsumexp([scores[w] for w in self.words(label) if w in scores] or [-1e9]) for label in self.labels}

    def set_prior(self, responses: Sequence[Any]) -> None:
        scored = [softmax(self.label_scores(r.scores)) for r in responses if getattr(r, "scores", None)]
        self.prior = {label: sum(s[label] for s in scored) / len(scored) for label in self.labels} if scored else None

    def parse_one(self, doc: Doc, response: Any) -> None:
        raw = str(response or "")
        scores = getattr(response, "scores", None)
        result: Dict[str, Any] = {"raw": raw, "scores": None, "confidence": None, "error": ""}
        if scores:
            probs = softmax(self.label_scores(scores))
            if self.prior:
                raw_probs = {label: p / max(self.prior[label], 1e-6) for label, p in probs.items()}
                total = sum(raw_probs.values())
                result["uncalibrated"], probs = probs, {label: v / total for label, v in raw_probs.items()}
            chosen, confidence, margin = self.choose(probs)
            result.update(scores=probs, confidence=confidence, margin=margin)
        else:
            chosen, result["error"] = self.read_text_answer(raw, doc.text)
        result["labels"] = chosen
        doc.cats = {label: float(label in chosen) for label in self.labels}
        set_result(doc, result)

    def read_text_answer(self, raw: str, text: str = "") -> Tuple[List[str], str]:
        """Labels whose verbaliser the answer names, not negated (see `read_label_mentions`), and
        an error ('' when fine); an answer that names two labels where one is asked is ambiguous."""
        return read_label_mentions(raw, {label: self.words(label) for label in self.labels}, self.exclusive, text)


@registry.llm_tasks("evokd.TextCatLabel.v3")
def make_textcat_label_task_v3(
    labels: Optional[Dict[str, str]] = None,
    description: str = "",
    template: Optional[str] = None,
    exclusive: bool = True,
    verbalizers: Optional[Dict[str, List[str]]] = None,
    few_shot: int = 0,
    calibrate: bool = True,
    content_free: Sequence[str] = CONTENT_FREE,
    multilabel_threshold: float = 0.35,
) -> VerbalisedTextCatLabelTask:
    """Labelling for small teachers: verbalisers per label (derived unless given) plus v2's
    content-free calibration and optional few-shot exemplars."""
    return VerbalisedTextCatLabelTask(
        labels=labels, description=description, template=template, exclusive=exclusive, verbalizers=verbalizers,
        few_shot=few_shot, calibrate=calibrate, content_free=content_free, multilabel_threshold=multilabel_threshold,
    )


class ListedVerbalisedTextCatLabelTask(VerbalisedTextCatLabelTask):
    """TextCatLabel.v3 whose derived verbalisers include the words its descriptions list."""

    derive = staticmethod(derive_listed_verbalizers)


@registry.llm_tasks("evokd.TextCatLabel.v4")
def make_textcat_label_task_v4(
    labels: Optional[Dict[str, str]] = None,
    description: str = "",
    template: Optional[str] = None,
    exclusive: bool = True,
    verbalizers: Optional[Dict[str, List[str]]] = None,
    few_shot: int = 0,
    calibrate: bool = True,
    content_free: Sequence[str] = CONTENT_FREE,
    multilabel_threshold: float = 0.35,
) -> ListedVerbalisedTextCatLabelTask:
    """v3 with more derived verbalisers: every one-word item a label's description lists
    ("a location: a city, country, mountain" gives location, city, country and mountain)."""
    return ListedVerbalisedTextCatLabelTask(**locals())
