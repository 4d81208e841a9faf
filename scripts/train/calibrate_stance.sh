#!/usr/bin/env bash
# Fits a stance model's calibration temperature and records it in its config.json
# (stancegraph.temperature): `stancegraph eval stance` on MT-CSD Bitcoin valid (Reddit reply
# chains with their conversation; the selection set of scripts/train/train_stance_context.sh, never
# trained on, and no part of the comment dev set, which then measures the calibration)
# reports `temperature_factor`, the factor on the present temperature that minimises the
# negative log-likelihood of the gold labels; the new temperature is the old one times it.
# Then, calibrated, the model's own --min-confidence: the lowest confidence at which its favour
# and against answers on our comment dev set are at least 80 % precise (config.json
# stancegraph.min_confidence; `run` and `merge` default to it). Last, the folder's manifest.
#   usage: scripts/train/calibrate_stance.sh MODEL_DIR [DATA_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
MODEL=${1:?usage: calibrate_stance.sh MODEL_DIR [DATA_DIR]}
DATA=${2:-../shared/data}
BIN=${BIN:-target/release/stancegraph}

# The last JSON line of `eval stance ARGS`, field by a Python expression over it (`j`).
eval_field() {
  local expr=$1; shift
  "$BIN" eval stance "$@" --model "$MODEL" --threads "${THREADS:-1}" | tail -1 \
    | python3 -c "import json, sys; j = json.loads(sys.stdin.read()); print($expr)"
}

# Sets config.json stancegraph.KEY to a Python expression over its old value (`old`, None if unset).
set_config() {
  python3 - "$MODEL/config.json" "$1" "$2" <<'PY'
import json, os, sys
path, key, expr = sys.argv[1:]
config = json.load(open(path))
old = config["stancegraph"].get(key)
config["stancegraph"][key] = eval(expr)
with open(path + ".tmp", "w") as f:
    json.dump(config, f, indent=2, sort_keys=True)
os.replace(path + ".tmp", path)
print(f"{path}: {key} {old} -> {config['stancegraph'][key]}")
PY
}

factor=$(eval_field 'j["temperature_factor"]' --format mtcsd "$DATA/stance/mtcsd/Bitcoin/valid.json")
set_config temperature "round((old or 1.0) * $factor, 4)"
threshold=$(eval_field '(j["min_confidence_for_precision_0.8"] or {"threshold": 0})["threshold"]' \
  --format comments data/comment-dev/pairs.tsv --data "$DATA")
set_config min_confidence "$threshold"
# config.json changed: the folder's manifest follows (src/manifest.rs)
python3 scripts/export/write_manifest.py "$MODEL"
