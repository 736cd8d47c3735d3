"""NER uncertainty from the student's beam (how the pool's entropy and margin work for NER).

A spaCy NER student gives no label scores, but its transition-based parser can keep a beam of
whole-sentence analyses with their probabilities (`EntityRecognizer.beam_parse`, what Prodigy's
`ner.teach` uses). The distribution over the top `beam_width` analyses plays the role of
textcat's label scores: entropy is high when several analyses are about as likely, margin when
the best two are close. The student's answer is what it says when run as a pipeline (greedy
decoding), the same answer its generated texts are tested with and its package gives.
"""
from typing import Any, Dict, List, Optional, Sequence, Tuple

from spacy.language import Language
from spacy.tokens import Doc


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
    """Each text run through the student, holding the entities it predicts, with the
    probabilities of its top analyses in a beam. Needs a pipeline with a beam-capable NER."""
    found = beam_ner(nlp)
    if found is None:
        raise ValueError("The student pipeline has no entity recognizer that can beam-parse.")
    _, ner = found
    out: List[Tuple[Doc, Dict[str, float]]] = []
    for start in range(0, len(texts), batch_size):
        docs = list(nlp.pipe(texts[start : start + batch_size]))
        predicted = [list(doc.ents) for doc in docs]
        for doc in docs:  # no preset entities to constrain the beam
            doc.set_ents([], default="missing")
        for doc, beam, ents in zip(docs, ner.beam_parse(docs, beam_width=beam_width), predicted):
            doc.ents = ents
            out.append((doc, parse_probs(ner.moves.get_beam_parses(beam), beam_width)))
    return out
