"""What the revise tasks (ELAD) share: the verdict on the student's answer and the reason prompt."""
from pathlib import Path
from typing import Any, Optional, Sequence

from .request import request_of, result_of, set_result
from .templating import load_template, render


class RevisionMixin:
    """Mixed into a labelling task: `parse_one` adds the verdict, `render_reason` asks why."""

    template_dir: Path
    description: str
    reason_template: str = ""

    def load_reason_template(self, reason_template: Optional[str]) -> None:
        """The reason template: a path, inline text, or None for the task's `reason.jinja`."""
        self.reason_template = load_template(self.template_dir, "reason.jinja", reason_template)

    def add_verdict(self, doc: Any, answer_key: str) -> None:
        """Record on the doc whether the teacher's answer (`result[answer_key]`) keeps the student's
        ("error" when the answer could not be read: it neither keeps nor corrects it)."""
        student = sorted(tuple(x) if isinstance(x, list) else x for x in request_of(doc).get("student") or [])
        result = result_of(doc)
        answer: Sequence[Any] = sorted(tuple(x) if isinstance(x, list) else x for x in result.get(answer_key) or [])
        verdict = "error" if result.get("error") else "accepted" if list(answer) == student else "corrected"
        set_result(doc, {**result, "student": [list(x) if isinstance(x, tuple) else x for x in student], "revision": verdict})

    def render_reason(self, text: str, student: str, answer: str) -> str:
        """A plain prompt asking for a one-sentence reason for a correction."""
        return render(self.reason_template, description=self.description, text=text, student=student, label=answer)
