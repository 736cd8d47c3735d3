"""spacy-llm tasks for EvoKD: weakness analysis, input generation and labelling."""
