#!/usr/bin/env bash
# Night-by-night vs rebuild: NIGHTS nights of PER_NIGHT articles each into one
# store, then one run over the same articles into a fresh store; compares the
# grouping of mentions into entities (and the stance records) of the two.
# Prints one JSON line: mentions in each, mentions common to both (same
# document, text, offsets), and among those the share whose entity holds
# exactly the same common mentions in both (1.0 = the same grouping).
#   usage: scripts/test/rebuild_equivalence.sh CORPUS_DIR [NIGHTS] [PER_NIGHT] [extra run flags...]
set -euo pipefail
cd "$(dirname "$0")/../.."
CORPUS=$(cd "${1:?corpus dir}" && pwd)
NIGHTS=${2:-3}
PER_NIGHT=${3:-100}
shift $(( $# < 3 ? $# : 3 ))
BIN=${BIN:-$PWD/target/release/stancegraph}
WORK=${WORK:-$(mktemp -d)}
trap 'rm -rf "$WORK"' EXIT

mapfile -t ARTICLES < <(find "$CORPUS" -name '*.txt' | sort | head -n $((NIGHTS * PER_NIGHT)))
mkdir -p "$WORK/all"
for n in $(seq 1 "$NIGHTS"); do
  mkdir -p "$WORK/night$n"
  for a in "${ARTICLES[@]:$(((n - 1) * PER_NIGHT)):$PER_NIGHT}"; do
    ln -s "$a" "$WORK/night$n/"
    ln -s "$a" "$WORK/all/"
  done
  "$BIN" run "$WORK/night$n" --out "$WORK/nightly" --quiet "$@"
done
"$BIN" run "$WORK/all" --out "$WORK/rebuild" --quiet "$@"

python3 - "$WORK/nightly/latest" "$WORK/rebuild/latest" <<'PY'
import json, sys
from collections import defaultdict

def load(folder):
    entity_of, groups = {}, defaultdict(set)
    for line in open(f"{folder}/mentions.jsonl"):
        m = json.loads(line)
        key = (m["doc_id"], m["comment"], m["start"], m["end"], m["text"])
        entity_of[key] = m["entity_id"]
    stances = {}
    for line in open(f"{folder}/stances.jsonl"):
        s = json.loads(line)
        stances[(s["doc_id"], s["comment"], s["entity"])] = s["stance"]
    return entity_of, stances

a, sa = load(sys.argv[1])
b, sb = load(sys.argv[2])
common = set(a) & set(b)
ga, gb = defaultdict(set), defaultdict(set)
for k in common:
    ga[a[k]].add(k)
    gb[b[k]].add(k)
same = sum(1 for k in common if ga[a[k]] == gb[b[k]])
shared_pairs = set(sa) & set(sb)
print(json.dumps({
    "mentions_nightly": len(a), "mentions_rebuild": len(b), "mentions_common": len(common),
    "same_grouping_share": round(same / max(len(common), 1), 5),
    "entities_nightly": len(set(a.values())), "entities_rebuild": len(set(b.values())),
    "stance_pairs": [len(sa), len(sb)],
    "stance_same_label_share": round(sum(sa[k] == sb[k] for k in shared_pairs) / max(len(shared_pairs), 1), 5),
}))
PY
