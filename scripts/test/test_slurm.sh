#!/usr/bin/env bash
# `make test-slurm`: the scripts of deploy/slurm/ on a real one-node Slurm cluster started here.
#   1. installs Debian's slurm-wlm and munge when missing;
#   2. writes a slurm.conf for this machine (no cgroups, no accounting, free ports, every path in
#      a temporary folder) and a fresh munge key; starts munged, slurmctld and slurmd;
#   3. night 1: submit.sh over the equivalence corpus (the seed, 100 PolNeAR articles, 300
#      Reddit threads; examples/sample when ../shared is absent), N = 4: the array, then the
#      merge after it; the export set equals one `stancegraph run` over the same inputs, byte for
#      byte (graph.gexf without its <meta>), both in fp32;
#   4. night 2, over examples/sample: shard 1 fails (a wrapper gives it a models folder that does
#      not exist), so the merge job stays PENDING with reason DependencyNeverSatisfied;
#      resubmit.sh (docs/slurm.md's recovery) reruns shard 1 alone and a new merge, which equals one run;
#   5. stops every daemon it started and removes the folder, also when a step fails.
# Waits poll `scontrol show job` under a deadline (WAIT_S, default 1800 s each); QUICK=1 runs
# night 1 on examples/sample too (a minute instead of ten). Prints one PASS or FAIL line and
# exits 0 or 1.
#   usage: scripts/test/test_slurm.sh [BIN]   (default target/release/stancegraph)
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd -P)
BIN=$(realpath "${1:-target/release/stancegraph}")
WAIT_S=${WAIT_S:-1800}
started=$(date +%s)
tmp=$(mktemp -d /tmp/stancegraph-slurm.XXXXXX)
chmod 755 "$tmp" # munged wants every folder above its socket open to all
night=

say() { echo "test-slurm: $*"; }

fail() {
  say "$*" >&2
  if [ -f "$tmp/submit.log" ]; then
    echo "--- submit.sh and resubmit.sh"
    tail -n 8 "$tmp/submit.log"
  fi >&2
  if [ -n "$night" ]; then
    for log in "$night"/*.log; do
      [ -f "$log" ] && { echo "--- $log"; tail -n 8 "$log"; }
    done >&2
  fi
  exit 1
}

# Stops what this script started (jobs first: slurmd leaves running steps alive), by pid.
cleanup() {
  local rc=$? pids=() pid
  set +e
  if [ -f "$tmp/slurmctld.pid" ]; then
    scancel --user="$(id -un)" 2>/dev/null || true
    until_deadline 60 no_jobs || echo "test-slurm: jobs still listed at shutdown" >&2
    scontrol shutdown >/dev/null 2>&1 || true
  fi
  for f in slurmctld.pid slurmd.pid; do
    [ -f "$tmp/$f" ] && pids+=("$(cat "$tmp/$f")")
  done
  if [ ${#pids[@]} -gt 0 ] && ! until_deadline 30 gone "${pids[@]}"; then
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  fi
  if [ -S "$tmp/munge/munge.socket" ]; then
    munged --stop --socket="$tmp/munge/munge.socket" >/dev/null 2>&1 ||
      kill -TERM "$(cat "$tmp/munged.pid")" 2>/dev/null || true
  fi
  rm -rf "$tmp"
  local took=$(($(date +%s) - started))
  if [ $rc -eq 0 ]; then
    say "PASS ($took s: $summary)"
  else
    say "FAIL ($took s)"
  fi
  exit $rc
}
summary=
trap cleanup EXIT
trap 'say "failed: line $LINENO: $BASH_COMMAND" >&2' ERR

# until_deadline SECONDS CMD...: polls CMD once a second until it succeeds; fails at the deadline.
until_deadline() {
  local end=$(($(date +%s) + $1))
  shift
  until "$@"; do
    [ "$(date +%s)" -lt "$end" ] || return 1
    sleep 1
  done
}
gone() { for pid; do ! kill -0 "$pid" 2>/dev/null || return 1; done; }
no_jobs() { [ -z "$(squeue --noheader 2>/dev/null)" ]; }
node_idle() { [ "$(sinfo --noheader --format=%T 2>/dev/null)" = idle ]; }

# job_states JOB: "STATE REASON" of the job, one line per array task.
job_states() {
  scontrol show job --oneliner "$1" | sed -n 's/.* JobState=\([A-Z_]*\) Reason=\([^ ]*\) .*/\1 \2/p'
}
# task_state JOB K: the state of array task K.
task_state() {
  scontrol show job --oneliner "$1" | sed -n "s/.* ArrayTaskId=$2 .* JobState=\([A-Z_]*\) .*/\1/p"
}
# ended JOB: every task is in a final state, or (a dependent job) waits for what cannot happen.
ended() {
  local states
  states=$(job_states "$1") && [ -n "$states" ] || return 1
  ! grep -Eq '^(PENDING|RUNNING|COMPLETING|CONFIGURING|REQUEUED|RESIZING|SUSPENDED) ' <<<"$states" ||
    [ "$states" = "PENDING DependencyNeverSatisfied" ]
}
wait_job() {
  until_deadline "$WAIT_S" ended "$1" || fail "job $1 did not end within $WAIT_S s: $(job_states "$1" | sort | uniq -c | tr -s ' \n' ' ')"
}
# field NAME: the value of NAME= in submit.sh's or resubmit.sh's output ($submitted).
field() { sed -n "s/^$1=//p" <<<"$submitted"; }

# same_exports A B: the files of two export sets are equal (graph.gexf without its <meta>).
same_exports() {
  local f
  for f in nodes.csv edges.csv entities.jsonl mentions.jsonl stances.jsonl graph.graphml; do
    cmp -s "$1/$f" "$2/$f" || fail "$f differs between one run and the Slurm night: $1/$f $2/$f"
  done
  cmp -s <(sed '/<meta/,/<\/meta>/d' "$1/graph.gexf") <(sed '/<meta/,/<\/meta>/d' "$2/graph.gexf") ||
    fail "graph.gexf differs between one run and the Slurm night"
}

# ---------------------------------------------------------------- 1. install --
[ -x "$BIN" ] || fail "no binary $BIN (make build)"
[ "$(id -u)" -eq 0 ] || fail "needs root: apt-get, and slurmd starts the jobs"
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v mungekey >/dev/null; then
  say "installing slurm-wlm and munge (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get install -y -q slurm-wlm munge || { apt-get update -q && apt-get install -y -q slurm-wlm munge; }; } \
    >"$tmp/apt.log" 2>&1 || { tail -n 20 "$tmp/apt.log"; fail "apt-get install slurm-wlm munge failed"; }
fi

# ---------------------------------------------------------- 2. the cluster --
host=$(hostname -s)
node=$(slurmd -C | grep '^NodeName=' || true)
[ -n "$node" ] || fail "slurmd -C printed no NodeName line"
read -r ctld_port slurmd_port < <(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*(x.getsockname()[1] for x in s))')
mkdir -m 755 "$tmp/munge"
mkdir "$tmp/state" "$tmp/spool"
cat >"$tmp/slurm.conf" <<EOF
ClusterName=stancegraph-test
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge/munge.socket
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ReturnToService=2
MailProg=/bin/true
MinJobAge=3600
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=test Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$tmp/slurm.conf
mungekey --create --keyfile="$tmp/munge.key"
munged --socket="$tmp/munge/munge.socket" --key-file="$tmp/munge.key" --pid-file="$tmp/munged.pid" \
  --log-file="$tmp/munged.log" --seed-file="$tmp/munged.seed" || fail "munged did not start: $(tail -n 3 "$tmp/munged.log")"
slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start: $(tail -n 3 "$tmp/slurmctld.log")"
slurmd -f "$SLURM_CONF" || fail "slurmd did not start: $(tail -n 3 "$tmp/slurmd.log")"
until_deadline 60 node_idle || fail "node $host not idle after 60 s: $(sinfo 2>&1 | tail -n 1)"
say "single-node cluster up: $node"

# --------------------------------------------- 3. night 1: equivalence corpus --
cpus=$(($(nproc) >= 2 ? 2 : 1))
common_args=(--precision fp32 --quiet)
shared=$repo/../shared/data
if [ -d "$shared" ] && [ -z "${QUICK:-}" ]; then
  mkdir -p "$tmp/corpus/polnear"
  mapfile -t articles < <(find "$shared/corpus/polnear" -maxdepth 1 -name '*.txt' | sort)
  ln -s -t "$tmp/corpus/polnear" "${articles[@]:0:100}"
  python3 scripts/data/reddit_to_jsonl.py "$shared/stance/reddit-trump" >"$tmp/corpus/reddit-all.jsonl"
  head -n 300 "$tmp/corpus/reddit-all.jsonl" >"$tmp/corpus/reddit.jsonl"
  inputs="$shared/seed $tmp/corpus/polnear $tmp/corpus/reddit.jsonl"
else
  [ -n "${QUICK:-}" ] || say "note: ../shared is absent; night 1 runs on examples/sample"
  inputs=$repo/examples/sample
fi

t=$(date +%s)
# shellcheck disable=SC2086 # the inputs are a space-separated list, as submit.sh takes them
"$BIN" run $inputs --out "$tmp/single" --threads "$cpus" "${common_args[@]}" ||
  fail "the single run exited with $?"
single_s=$(($(date +%s) - t))

# Settings from a config file, as a cron line would pass them.
cat >"$tmp/night1.env" <<EOF
STANCEGRAPH=$BIN
INPUTS="$inputs"
N=4
CPUS_PER_TASK=$cpus
SHARDS=$tmp/shards
OUT=$tmp/out
STANCEGRAPH_ARGS="${common_args[*]}"
EOF
t=$(date +%s)
submitted=$(deploy/slurm/submit.sh "$tmp/night1.env" 2>>"$tmp/submit.log") || fail "submit.sh exited with $?"
array=$(field ARRAY_JOB) merge=$(field MERGE_JOB) night=$(field NIGHT_DIR)
[ -n "$array" ] && [ -n "$merge" ] && [ -d "$night" ] || fail "submit.sh printed no job ids: $submitted"
wait_job "$merge"
slurm_s=$(($(date +%s) - t))
[ "$(job_states "$merge")" = "COMPLETED None" ] || fail "merge job $merge: $(job_states "$merge")"
for k in 0 1 2 3; do
  [ "$(task_state "$array" $k)" = COMPLETED ] || fail "shard task ${array}_$k: $(task_state "$array" $k)"
done
merge_s=$(scontrol show job --oneliner "$merge" | sed -n 's/.* RunTime=\([0-9:-]*\) .*/\1/p')
same_exports "$tmp/single/latest" "$tmp/out/latest"
say "night 1: 4 shards + merge equal one run (Slurm $slurm_s s from submit to merged, merge job $merge_s; one run $single_s s)"

# ------------------------------------- 4. night 2: a failed shard, recovered --
cat >"$tmp/stancegraph-shard-1-fails" <<EOF
#!/usr/bin/env bash
# stancegraph, except that shard task 1 gets a models folder that does not exist while
# $tmp/fail-shard-1 exists.
if [ "\${SLURM_ARRAY_TASK_ID:-}" = 1 ] && [ -e "$tmp/fail-shard-1" ]; then
  exec "$BIN" "\$@" --models "$tmp/no-models"
fi
exec "$BIN" "\$@"
EOF
chmod 755 "$tmp/stancegraph-shard-1-fails"
touch "$tmp/fail-shard-1"
"$BIN" run examples/sample --out "$tmp/single-sample" --threads "$cpus" "${common_args[@]}" ||
  fail "the single run of examples/sample exited with $?"

# Settings from the environment this time.
submitted=$(STANCEGRAPH=$tmp/stancegraph-shard-1-fails INPUTS=examples/sample N=4 CPUS_PER_TASK=$cpus \
  SHARDS=$tmp/shards OUT=$tmp/out-sample STANCEGRAPH_ARGS="${common_args[*]}" deploy/slurm/submit.sh 2>>"$tmp/submit.log") ||
  fail "submit.sh exited with $?"
array=$(field ARRAY_JOB) merge=$(field MERGE_JOB) night=$(field NIGHT_DIR)
wait_job "$merge"
[ "$(job_states "$merge")" = "PENDING DependencyNeverSatisfied" ] ||
  fail "after a failed shard the merge job is $(job_states "$merge"), not PENDING DependencyNeverSatisfied"
until_deadline "$WAIT_S" ended "$array" || fail "array job $array did not end"
for k in 0 1 2 3; do
  want=COMPLETED
  [ $k -eq 1 ] && want=FAILED
  [ "$(task_state "$array" $k)" = $want ] || fail "shard task ${array}_$k: $(task_state "$array" $k), not $want"
done
grep -q "shard 1/4 failed (exit 2)" "$night/shard-1.log" || fail "shard-1.log does not say that shard 1 failed"
[ ! -e "$tmp/out-sample/latest" ] || fail "an export set was written although shard 1 failed"

rm "$tmp/fail-shard-1"
old_merge=$merge
submitted=$(deploy/slurm/resubmit.sh "$night" 2>>"$tmp/submit.log") || fail "resubmit.sh exited with $?"
array=$(field ARRAY_JOB) merge=$(field MERGE_JOB)
[ -n "$array" ] && [ -n "$merge" ] || fail "resubmit.sh printed no job ids: $submitted"
[ "$(job_states "$old_merge" | cut -d' ' -f1)" = CANCELLED ] || fail "old merge job $old_merge: $(job_states "$old_merge")"
[ "$(job_states "$array" | wc -l)" -eq 1 ] && [ -n "$(task_state "$array" 1)" ] ||
  fail "resubmit.sh did not resubmit shard 1 alone: $(scontrol show job --oneliner "$array" | grep -o 'ArrayTaskId=[^ ]*')"
wait_job "$merge"
[ "$(job_states "$merge")" = "COMPLETED None" ] || fail "merge job $merge after resubmit.sh: $(job_states "$merge")"
same_exports "$tmp/single-sample/latest" "$tmp/out-sample/latest"
say "night 2: shard 1 failed, merge PENDING (DependencyNeverSatisfied), resubmit.sh reran shard 1 and the merge: equal to one run"
summary="4-shard Slurm night ${slurm_s}s vs one run ${single_s}s, merge job $merge_s; failed shard recovered"
