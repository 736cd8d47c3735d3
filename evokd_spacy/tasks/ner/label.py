"""Entity labelling: a separate call per sentence that returns (text, label) pairs as JSON,
aligned to spaCy tokens; unalignable or unknown entities are dropped and counted.

v2 asks for the answer as an `EntityListPrompt`: a local teacher then decodes it constrained to
valid JSON over the label set, naming only strings that occur in the sentence."""
import json
from pathlib import Path
from typing import Any, Dict, List, Optional

from spacy.tokens import Doc

from ...llm_io import EntityListPrompt, GreedyPrompt
from ...registry import registry
from ..base import PromptTask, examples_for_prompt
from ..request import set_result
from .align import align_entities
from .parse import parse_entities


class NERLabelTask(PromptTask):
    """Sets `doc.ents` and writes {"spans", "drops", "error", "raw"} to the doc."""

    default_template = "label.jinja"
    template_dir = Path(__file__).parent

    def __init__(self, examples: Optional[List[Dict[str, Any]]] = None, n_examples: int = 3, constrained: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.n_examples = n_examples
        self.examples = list(examples or [])
        self.constrained = constrained

    def set_examples(self, examples: List[Dict[str, Any]]) -> None:
        """Few-shot examples ({"text", "entities": [{"text", "label"}]}) unless the config gave some."""
        if not self.examples:
            self.examples = list(examples)

    def prompt_for(self, doc: Doc) -> GreedyPrompt:
        shown = examples_for_prompt(self.examples, self.n_examples)
        examples = [{**ex, "entities_json": json.dumps(ex.get("entities", []), ensure_ascii=False)} for ex in shown]
        prompt = self.render(text=doc.text, examples=examples)
        return EntityListPrompt(prompt, doc.text, list(self.labels)) if self.constrained else GreedyPrompt(prompt)

    def parse_one(self, doc: Doc, response: Any) -> None:
        raw = str(response or "")
        entities, error = parse_entities(raw)
        if getattr(response, "truncated", False) and not error:
            # cut off at the token limit (a constrained answer is closed after its last whole
            # entity): the entities it never reached would be trained as "not an entity"
            entities, error = [], "cut_off"
        spans, drops = align_entities(doc, entities, self.labels)
        doc.ents = [doc.char_span(s, e, label=lab) for s, e, lab in spans]
        set_result(doc, {"spans": spans, "drops": drops, "error": error, "raw": raw})


@registry.llm_tasks("evokd.NERLabel.v1")
def make_ner_label_task(
    labels: Optional[Dict[str, str]] = None,
    description: str = "",
    template: Optional[str] = None,
    examples: Optional[List[Dict[str, Any]]] = None,
    n_examples: int = 3,
) -> NERLabelTask:
    """Entity labelling task; `n_examples` seed sentences are shown as few-shot examples."""
    return NERLabelTask(labels=labels, description=description, template=template, examples=examples, n_examples=n_examples)


@registry.llm_tasks("evokd.NERLabel.v2")
def make_ner_label_task_v2(
    labels: Optional[Dict[str, str]] = None,
    description: str = "",
    template: Optional[str] = None,
    examples: Optional[List[Dict[str, Any]]] = None,
    n_examples: int = 3,
    constrained: bool = True,
) -> NERLabelTask:
    """v1 plus constrained decoding: a local teacher can only answer a JSON list of entities that
    occur in the sentence, with labels from the label set (other teachers see v1's prompt)."""
    return NERLabelTask(labels=labels, description=description, template=template, examples=examples, n_examples=n_examples,
                        constrained=constrained)
