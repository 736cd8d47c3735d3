"""Input generation: new texts that the student should get wrong (hard) or right (easy)."""
import re
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from spacy.tokens import Doc

from ...registry import registry
from ...util.scripts import split_unspaced
from ..base import PromptTask, examples_for_prompt
from ..parsing import parse_tagged_lines
from ..request import request_of, set_result


class TextCatGenerateTask(PromptTask):
    """Request: {"analysis", "target", "examples", "style"}. Result: {"items": [{"text","tag"}], "rejects", "raw"}."""

    default_template = "generate.jinja"
    template_dir = Path(__file__).parent

    def __init__(self, n_hard: int = 3, n_easy: int = 2, max_examples: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if n_hard < 0 or n_easy < 0 or n_hard + n_easy == 0:
            raise ValueError("n_hard and n_easy must be >= 0 and not both 0")
        self.n_hard, self.n_easy, self.max_examples = n_hard, n_easy, max_examples

    def prompt_for(self, doc: Doc) -> str:
        request = request_of(doc)
        return self.render(
            analysis=request.get("analysis", ""),
            target=request.get("target"),
            examples=examples_for_prompt(request.get("examples", []), self.max_examples),
            n_hard=self.n_hard,
            n_easy=self.n_easy,
            style=request.get("style"),
        )

    def tagged_counts(self) -> Dict[str, int]:
        """How many texts of each tag an answer should hold."""
        return {"n_hard": self.n_hard, "n_easy": self.n_easy}

    def parse_one(self, doc: Doc, response: Any) -> None:
        """Read the tagged texts; a text copied from a line of the prompt is rejected as an echo
        before it takes one of the places asked for."""
        raw = str(response or "")
        complete, cut = without_unfinished_line(raw) if getattr(response, "truncated", False) else (raw, [])
        prompt_lines = [_squash(line) for line in self.prompt_for(doc).splitlines() if len(_squash(line)) > 12]
        items, rejects = parse_tagged_lines(
            complete, **self.tagged_counts(), labels=list(self.labels), check=lambda text: "echo" if is_echo(text, prompt_lines) else ""
        )
        request = request_of(doc)
        aimed = {"target": request.get("target"), **({"targets": request["targets"]} if request.get("targets") else {})}
        set_result(doc, {"items": [{**item, **aimed} for item in items], "rejects": rejects + cut, "raw": raw})


def is_echo(text: str, prompt_lines: List[str]) -> bool:
    """Whether a generated text copies a prompt line (squashed): it is most of that line, or a run
    of 8 or more of its words. A short phrase that also occurs in a label description or the
    analysis ("would not recommend it") is a text of its own."""
    words = _squash(text)
    if len(words.split()) < 3:
        return False
    return any(words in line and (len(words) >= 0.6 * len(line) or len(words.split()) >= 8) for line in prompt_lines)


def without_unfinished_line(raw: str) -> Tuple[str, List[Dict[str, str]]]:
    """An answer cut off at the token limit without its last line, which the limit cut short, and
    that line as a reject."""
    lines = raw.rstrip().splitlines()
    if not lines:
        return raw, []
    return "\n".join(lines[:-1]), [{"line": lines[-1], "reason": "cut_off"}]


def _squash(text: str) -> str:
    """Lower-cased words with single spaces; each Chinese, Japanese or Thai character a word."""
    return re.sub(r"[\W_]+", " ", split_unspaced(text.lower())).strip()


@registry.llm_tasks("evokd.TextCatGenerate.v1")
def make_textcat_generate_task(
    labels: Optional[Dict[str, str]] = None,
    description: str = "",
    template: Optional[str] = None,
    exclusive: bool = True,
    n_hard: int = 3,
    n_easy: int = 2,
    max_examples: int = 0,
) -> TextCatGenerateTask:
    """Generation task for text classification: `n_hard` + `n_easy` texts per call.

    `max_examples` example texts are shown in the prompt (default none: small models copy them).
    """
    return TextCatGenerateTask(
        labels=labels,
        description=description,
        template=template,
        exclusive=exclusive,
        n_hard=n_hard,
        n_easy=n_easy,
        max_examples=max_examples,
    )


class TextCatGenerateTaskV2(TextCatGenerateTask):
    """v1 whose prompt, in a multi-label task, asks for texts whose labels include the target (v1
    asks for texts whose correct label is the target, as if it were their only one)."""

    default_template = "generate_v2.jinja"


@registry.llm_tasks("evokd.TextCatGenerate.v2")
def make_textcat_generate_task_v2(
    labels: Optional[Dict[str, str]] = None,
    description: str = "",
    template: Optional[str] = None,
    exclusive: bool = True,
    n_hard: int = 3,
    n_easy: int = 2,
    max_examples: int = 0,
) -> TextCatGenerateTaskV2:
    """v1 (`n_hard` + `n_easy` texts per call) that asks a multi-label task for texts whose labels
    include the target; an exclusive task gets v1's prompt."""
    return TextCatGenerateTaskV2(
        labels=labels,
        description=description,
        template=template,
        exclusive=exclusive,
        n_hard=n_hard,
        n_easy=n_easy,
        max_examples=max_examples,
    )
