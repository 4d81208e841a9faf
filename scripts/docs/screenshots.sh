#!/usr/bin/env bash
# The README's pictures of the graph files, rendered by us (scripts/docs/render_graph.cjs:
# ForceAtlas 2 from graphology, the files' own viz colours and sizes, headless chromium
# for the PNG), not by Gephi, which is a desktop program:
#   docs/gephi-seed.png   graph.gexf of a run over the seed article and its comments;
#   docs/gephi-camps.png  commenters.gexf of a run over the Reddit threads (camps by colour).
# Needs ../shared/data (the seed and the Reddit threads), node with graphology (make tools)
# and chromium.  usage: scripts/docs/screenshots.sh [SHARED_DATA_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
DATA=${1:-../shared/data}
BIN=${BIN:-${CARGO_TARGET_DIR:-target}/release/stancegraph}
NODE_DIR=${NODE_DIR:-.deps/node}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

"$BIN" run "$DATA/seed" --out "$WORK/seed" --quiet
python3 scripts/data/reddit_to_jsonl.py "$DATA/stance/reddit-trump" > "$WORK/reddit.jsonl"
"$BIN" run "$WORK/reddit.jsonl" --out "$WORK/reddit" --quiet

render() { # GEXF PNG TITLE LEGEND_BY LABELS [MORE OPTIONS]
  NODE_PATH="$NODE_DIR/node_modules" node scripts/docs/render_graph.cjs "$1" "$WORK/picture.svg" \
    --title "$3" --legend-by "$4" --labels "$5" "${@:6}"
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1600,1100 \
    --screenshot="$2" "file://$WORK/picture.svg" 2>/dev/null
  echo "$2"
}
mkdir -p docs
render "$WORK/seed/graph.gexf" docs/gephi-seed.png \
  "graph.gexf of the seed article: commenters -> entities by stance (green favour, red against, purple mixed, grey neutral)" type 40
render "$WORK/reddit/commenters.gexf" docs/gephi-camps.png \
  "commenters.gexf of the Reddit threads: commenters linked by net agreement, coloured by camp (no edge: left out)" camp 20 \
  --drop-isolated
