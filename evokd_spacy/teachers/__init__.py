"""Teacher models (spacy-llm models), their cache and accounting."""
