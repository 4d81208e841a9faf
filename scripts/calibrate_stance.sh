#!/usr/bin/env bash
# Fits a stance model's calibration temperature and records it in its config.json
# (stancegraph.temperature): `stancegraph eval stance` on MT-CSD Bitcoin valid (Reddit reply
# chains with their conversation; the selection set of scripts/train_stance_context.sh, never
# trained on, and no part of the comment dev set, which then measures the calibration)
# reports `temperature_factor`, the factor on the present temperature that minimises the
# negative log-likelihood of the gold labels; the new temperature is the old one times it.
#   usage: scripts/calibrate_stance.sh MODEL_DIR [DATA_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${1:?usage: calibrate_stance.sh MODEL_DIR [DATA_DIR]}
DATA=${2:-../shared/data}
BIN=${BIN:-target/release/stancegraph}
factor=$("$BIN" eval stance --format mtcsd "$DATA/stance/mtcsd/Bitcoin/valid.json" --model "$MODEL" --threads "${THREADS:-1}" \
  | tail -1 | python3 -c 'import json, sys; print(json.loads(sys.stdin.read())["temperature_factor"])')
python3 - "$MODEL/config.json" "$factor" <<'PY'
import json, sys
path, factor = sys.argv[1], float(sys.argv[2])
config = json.load(open(path))
old = config["stancegraph"].get("temperature", 1.0)
config["stancegraph"]["temperature"] = round(old * factor, 4)
with open(path + ".tmp", "w") as f:
    json.dump(config, f, indent=2, sort_keys=True)
import os; os.replace(path + ".tmp", path)
print(f"{path}: temperature {old} -> {config['stancegraph']['temperature']} (factor {factor})")
PY
# Then, calibrated, the model's own --min-confidence: the lowest confidence at which its favour and
# against answers on our comment dev set are at least 80 % precise (config.json
# stancegraph.min_confidence; `run` and `merge` default to it).
threshold=$("$BIN" eval stance --format comments data/comment-dev/pairs.tsv --data "$DATA" --model "$MODEL" \
  --threads "${THREADS:-1}" | tail -1 | python3 -c 'import json, sys; t = json.loads(sys.stdin.read())["min_confidence_for_precision_0.8"]; print(t["threshold"] if t else 0)')
python3 - "$MODEL/config.json" "$threshold" <<'PY'
import json, os, sys
path, threshold = sys.argv[1], float(sys.argv[2])
config = json.load(open(path))
config["stancegraph"]["min_confidence"] = threshold
with open(path + ".tmp", "w") as f:
    json.dump(config, f, indent=2, sort_keys=True)
os.replace(path + ".tmp", path)
print(f"{path}: min_confidence {threshold}")
PY
# config.json changed: the folder's manifest follows (src/manifest.rs)
python3 scripts/write_manifest.py "$MODEL"
