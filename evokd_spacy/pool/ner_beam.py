"""NER uncertainty from the student's beam (how the pool's entropy and margin work for NER).

A spaCy NER student gives no label scores, but its transition-based parser can keep a beam of
whole-sentence analyses with their probabilities (`EntityRecognizer.beam_parse`, what Prodigy's
`ner.teach` uses). The distribution over the top `beam_width` analyses plays the role of
textcat's label scores: entropy is high when several analyses are about as likely, margin when
the best two are close. The student's answer is its most probable analysis.
"""
from typing import Any, Dict, List, Optional, Sequence, Tuple

from spacy.language import Language
from spacy.tokens import Doc, Span


def beam_ner(nlp: Language) -> Optional[Tuple[str, Any]]:
    """The pipeline's entity recognizer that can beam-parse (name, component), or None."""
    for name, proc in nlp.pipeline:
        if hasattr(proc, "beam_parse") and hasattr(getattr(proc, "moves", None), "get_beam_parses"):
            return name, proc
    return None


def parse_probs(parses: Sequence[Tuple[float, Any]], beam_width: int) -> Dict[str, float]:
    """The analyses' probabilities, most probable first, padded with zeros to `beam_width` keys
    (so entropy is normalised by the same maximum for every text)."""
    ranked = sorted((float(p) for p, _ in parses), reverse=True)[:beam_width]
    return {f"parse_{i + 1}": (ranked[i] if i < len(ranked) else 0.0) for i in range(beam_width)}


def beam_scored_docs(nlp: Language, texts: List[str], beam_width: int = 4, batch_size: int = 64) -> List[Tuple[Doc, Dict[str, float]]]:
    """Each text parsed by the student with a beam: the doc holding its most probable entities,
    and the probabilities of its top analyses. Needs a pipeline with a beam-capable NER."""
    found = beam_ner(nlp)
    if found is None:
        raise ValueError("The student pipeline has no entity recognizer that can beam-parse.")
    name, ner = found
    out: List[Tuple[Doc, Dict[str, float]]] = []
    for start in range(0, len(texts), batch_size):
        docs = list(nlp.pipe(texts[start : start + batch_size], disable=[name]))  # no preset entities to constrain the beam
        for doc, beam in zip(docs, ner.beam_parse(docs, beam_width=beam_width)):
            parses = ner.moves.get_beam_parses(beam)
            best = max(parses, key=lambda parse: parse[0])[1] if parses else []
            doc.ents = [Span(doc, s, e, label=label) for s, e, label in best]
            out.append((doc, parse_probs(parses, beam_width)))
    return out
