#!/usr/bin/env bash
# Create the Python environment used by the training and benchmark scripts
# (not needed by the shipped binary).
set -euo pipefail
cd "$(dirname "$0")/../.."
python3 -m venv .venv-train
.venv-train/bin/pip install -q torch==2.4.0 transformers==4.44.2 safetensors onnx numpy
