"""A check of gold entity spans against the student's tokens, with a warning that shows them."""
from typing import List, Optional

from wasabi import msg

from ..ty import Sample, TaskSpec


def warn_unaligned_spans(samples: List[Sample], path: str, key: str, spec: Optional[TaskSpec] = None) -> int:
    """Warn when entity spans do not start and end on token boundaries (offsets from another
    tool's tokenizer, or cut a character short): training widens them to whole tokens, and of
    widened spans that overlap keeps the longest. Returns how many spans are off."""
    from ..student.language import blank_nlp, text_nlp

    nlp = text_nlp(spec) if spec is not None else blank_nlp()
    off = []
    for sample in samples:
        if not sample.spans:
            continue
        doc = nlp.make_doc(sample.text)
        for start, end, label in sample.spans:
            if doc.char_span(start, end) is None:
                wide = doc.char_span(start, end, alignment_mode="expand")
                off.append(f"{sample.text[start:end]!r} ({label}) becomes {wide.text if wide is not None else ''!r}")
    if off:
        shown = "; ".join(off[:3]) + ("; …" if len(off) > 3 else "")
        msg.warn(f"{len(off)} entity span(s) in {path} ('{key}') do not start and end on token boundaries, so training "
                 f"widens them to whole tokens: {shown}. Check their character offsets.")
    return len(off)
