#!/usr/bin/env bash
# Which threads of a command do the work: GNU time (wall, user, system, context
# switches) for the whole process, plus each thread's CPU seconds from the last
# sample of /proc/PID/task/*/stat (polled every 0.5 s). Prints one JSON line.
# Load-independent evidence that `--threads N` bounds the pools: the number of
# threads that used more than 0.1 s of CPU. The command's stdout goes to stderr.
#   usage: scripts/bench/thread_cpu.sh LABEL COMMAND...
set -uo pipefail
label=$1; shift
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
tck=$(getconf CLK_TCK)
/usr/bin/time -v -o "$TMP/time" "$@" >&2 &
tpid=$!
sleep 0.3
pid=$(pgrep -P $tpid | head -1)
declare -A last
while kill -0 "$pid" 2>/dev/null; do
  for st in /proc/"$pid"/task/*/stat; do
    line=$(cat "$st" 2>/dev/null) || continue
    tid=${st#/proc/"$pid"/task/}; tid=${tid%/stat}
    comm=$(echo "$line" | sed -E 's/^[0-9]+ \((.*)\) .*/\1/')
    rest=$(echo "$line" | sed -E 's/^.*\) //')
    # shellcheck disable=SC2086  # split the stat fields
    set -- $rest
    last[$tid]="$comm ${12} ${13}"
  done
  sleep 0.5
done
wait $tpid
python3 - "$label" "$tck" "$TMP/time" <<PY
import sys, json
label, tck, tf = sys.argv[1], int(sys.argv[2]), sys.argv[3]
rows = """$(for k in "${!last[@]}"; do echo "$k ${last[$k]}"; done)""".strip().splitlines()
t = dict(l.strip().rpartition(": ")[::2] for l in open(tf))
per = sorted(((int(u)+int(s))/tck, c) for _, c, u, s in (r.split() for r in rows))[::-1]
wall = t["Elapsed (wall clock) time (h:mm:ss or m:ss)"]
m, s = wall.split(":")[-2:]; wall = float(m)*60+float(s)
user, sys_ = float(t["User time (seconds)"]), float(t["System time (seconds)"])
print(json.dumps({"run": label, "wall_s": wall, "user_s": user, "sys_s": sys_,
  "sys_share": round(sys_/(user+sys_), 3), "cpu_over_wall": round((user+sys_)/wall, 2),
  "threads_seen": len(per), "threads_over_0.1s_cpu": sum(1 for c, _ in per if c > 0.1),
  "top_threads_cpu_s": [(n, round(c, 2)) for c, n in per[:6]],
  "vol_ctx": int(t["Voluntary context switches"]), "invol_ctx": int(t["Involuntary context switches"])}))
PY
