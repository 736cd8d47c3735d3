"""The registries evokd-spacy adds to.

spacy-llm keeps its tasks and models in `spacy.util.registry.llm_tasks` / `llm_models`.
Importing `spacy_llm` pulls in torch, so we create (or reuse) the same registries here the
way spacy-llm does, which keeps our modules light to import.
"""
import spacy

for _name in ("llm_models", "llm_queries", "llm_tasks", "llm_misc"):
    if _name not in spacy.util.registry.get_registry_names():
        spacy.util.registry.create(_name, entry_points=True)

registry = spacy.util.registry

__all__ = ["registry"]
