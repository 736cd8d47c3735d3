"""Request docs: how a batch-level call (analysis, generation) travels through a spacy-llm task.

spacy-llm tasks map one doc to one prompt. An analysis or generation call is about a whole
batch, so its input is an empty Doc whose `user_data` carries the request, and the parsed
answer is written back into `user_data`.
"""
from typing import Any, Dict

from spacy.tokens import Doc
from spacy.vocab import Vocab

REQUEST_KEY = "evokd_request"
RESULT_KEY = "evokd_result"


def make_request_doc(payload: Dict[str, Any], vocab: Vocab = None) -> Doc:
    """A Doc that carries `payload` as a teacher request."""
    doc = Doc(vocab or Vocab(), words=[])
    doc.user_data[REQUEST_KEY] = payload
    return doc


def request_of(doc: Doc) -> Dict[str, Any]:
    """The request a doc carries (empty dict for an ordinary doc)."""
    return dict(doc.user_data.get(REQUEST_KEY) or {})


def result_of(doc: Doc) -> Dict[str, Any]:
    """The parsed teacher answer written onto a doc."""
    return dict(doc.user_data.get(RESULT_KEY) or {})


def set_result(doc: Doc, result: Dict[str, Any]) -> None:
    """Write a parsed teacher answer onto a doc."""
    doc.user_data[RESULT_KEY] = result
