"""evokd-spacy: Evolving Knowledge Distillation from an LLM teacher into a spaCy student.

Importing this package is cheap on purpose: it imports neither torch nor transformers nor
spacy-llm. Registered functions are found through entry points (see setup.py).
"""
from .about import __version__

__all__ = ["__version__"]
