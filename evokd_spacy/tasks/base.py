"""Shared machinery of the EvoKD prompt tasks: label set, description, template."""
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

from spacy.tokens import Doc

from .labelset import LabelSet
from .templating import load_template, render


class PromptTask(LabelSet):
    """A spacy-llm task with labels, a task description and a Jinja template."""

    default_template = ""
    template_dir: Path = Path(__file__).parent

    def __init__(
        self,
        labels: Optional[Dict[str, str]] = None,
        description: str = "",
        template: Optional[str] = None,
        exclusive: bool = True,
    ) -> None:
        super().__init__(labels, description)
        self.exclusive = exclusive
        self.template = load_template(self.template_dir, self.default_template, template)

    @property
    def prompt_template(self) -> str:
        """The template source that prompts are rendered from (spacy-llm's PromptTemplateProvider)."""
        return self.template

    def render(self, **values: Any) -> str:
        """Render the template with the task's labels and description plus `values`."""
        return render(
            self.prompt_template,
            description=self.description,
            labels=self.label_definitions,
            exclusive=self.exclusive,
            **values,
        )

    def generate_prompts(self, docs: Iterable[Doc]) -> Iterable[Any]:
        """One prompt per doc (a non-sharding spacy-llm task)."""
        self.check_ready(type(self).__name__)
        for doc in docs:
            yield self.prompt_for(doc)

    def prompt_for(self, doc: Doc) -> Any:
        raise NotImplementedError

    def parse_responses(self, docs: Iterable[Doc], responses: Iterable[Any]) -> Iterable[Doc]:
        """Write each parsed response onto its doc."""
        for doc, response in zip(docs, responses):
            # spacy-llm models answer with one list of shard responses per doc.
            if isinstance(response, (list, tuple)):
                response = response[0] if response else ""
            self.parse_one(doc, response)
            yield doc

    def parse_one(self, doc: Doc, response: Any) -> None:
        raise NotImplementedError


def examples_for_prompt(samples: Iterable[Dict[str, Any]], limit: int) -> List[Dict[str, Any]]:
    """At most `limit` examples, shortened for the prompt."""
    out = []
    for sample in list(samples)[:limit]:
        text = sample["text"]
        out.append({**sample, "text": text if len(text) <= 300 else text[:300] + "…"})
    return out
