#!/usr/bin/env bash
# The size a submission's diffs count against the workplace's limit (256 MiB for all the commits
# of one stop, binary files included as git writes them: `git show --binary`, each non-merge
# commit alone, added up). A changed weights file counts about 1.2x its size twice (the forward
# and the reverse patch) unless git finds a delta: replacing the 130 MB NER file whole costs
# ~300 MiB and cannot land in one stop; one whose embeddings were kept (train_ner.py
# --freeze-embeddings) costs the changed layers only. Run it before stopping.
#
# usage: scripts/dev/diff_size.sh BASE   (BASE: the commit the session started from)
set -euo pipefail
base=${1:?usage: scripts/dev/diff_size.sh BASE}
limit=$((256 * 1024 * 1024))
total=0
while read -r c; do
  n=$(git show --binary --format= "$c" | wc -c)
  total=$((total + n))
  if [ "$n" -gt 1048576 ]; then printf '%8.1f MiB  %s\n' "$(awk "BEGIN{print $n/1048576}")" "$(git log -1 --format='%h %s' "$c" | cut -c1-90)"; fi
done < <(git rev-list --no-merges "$base..HEAD")
printf 'total %.1f MiB of %d MiB (%s)\n' "$(awk "BEGIN{print $total/1048576}")" $((limit / 1048576)) \
  "$([ "$total" -le "$limit" ] && echo within || echo OVER: this stop would be refused)"
[ "$total" -le "$limit" ]
