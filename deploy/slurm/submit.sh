#!/usr/bin/env bash
# Submits one night of stancegraph to Slurm: the shards as one array job (shard.sbatch, one
# task per shard) and the merge after it (merge.sbatch, --dependency=afterok:<array job>).
#   deploy/slurm/submit.sh [CONFIG]
# CONFIG is a shell file of VAR=value lines (stancegraph.env.example); it is read after the
# environment, so settings can come from either. Every path must be on a filesystem that the
# login node and all compute nodes share.
#   STANCEGRAPH    the binary (default: stancegraph on PATH)
#   INPUTS         input files and folders, space-separated (required)
#   N              shards = array tasks (default 4)
#   CPUS_PER_TASK  --cpus-per-task of each shard task, passed to --threads (default 4)
#   SHARDS         folder for the nights' shard stores: each submit makes SHARDS/<UTC time>/ (required)
#   OUT            the merge's --out, the same every night: the corpus store grows there (required)
#   STANCEGRAPH_ARGS  more options for run and merge, e.g. "--models DIR --precision fp32"
#   SBATCH_ARGS    more sbatch options for every job, e.g. "--partition=cpu --time=2:00:00 --mem=8G"
#   MERGE_CPUS     --cpus-per-task of the merge job (default CPUS_PER_TASK)
#   ARRAY_LIMIT    at most this many shard tasks at once (--array=0-(N-1)%LIMIT; default no limit)
# Prints ARRAY_JOB=, MERGE_JOB= and NIGHT_DIR= lines on stdout. When a task fails, the merge
# job never starts (DependencyNeverSatisfied): resubmit.sh NIGHT_DIR reruns what is missing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

if [ $# -gt 1 ]; then
  die "usage: submit.sh [CONFIG]"
elif [ $# -eq 1 ]; then
  [ -f "$1" ] || die "no config file $1"
  source "$1"
fi

STANCEGRAPH=${STANCEGRAPH:-$(command -v stancegraph || true)}
[ -n "$STANCEGRAPH" ] || die "STANCEGRAPH is not set and stancegraph is not on PATH"
STANCEGRAPH=$(realpath -s "$STANCEGRAPH")
[ -x "$STANCEGRAPH" ] || die "STANCEGRAPH=$STANCEGRAPH is not an executable"
: "${INPUTS:?INPUTS is not set: the input files and folders, space-separated}"
: "${SHARDS:?SHARDS is not set: a shared folder for the shard stores}"
: "${OUT:?OUT is not set: the output folder (the same every night)}"
N=${N:-4}
CPUS_PER_TASK=${CPUS_PER_TASK:-4}
MERGE_CPUS=${MERGE_CPUS:-$CPUS_PER_TASK}
[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "N=$N is not a positive number"
[[ "$CPUS_PER_TASK" =~ ^[1-9][0-9]*$ ]] || die "CPUS_PER_TASK=$CPUS_PER_TASK is not a positive number"

# Absolute paths: the jobs start in the night's folder, on other machines.
read -ra given <<<"$INPUTS"
inputs=()
for input in "${given[@]}"; do
  [ -e "$input" ] || die "input $input does not exist"
  inputs+=("$(realpath -s "$input")")
done
INPUTS=${inputs[*]}
OUT=$(realpath -ms "$OUT")
mkdir -p "$SHARDS"
night=$(realpath -s "$SHARDS")/$(date -u +%Y-%m-%dT%H%M%SZ)
mkdir "$night" || die "$night exists: one submit per second at most"

for var in STANCEGRAPH INPUTS N CPUS_PER_TASK OUT STANCEGRAPH_ARGS SBATCH_ARGS MERGE_CPUS ARRAY_LIMIT; do
  printf '%s=%q\n' "$var" "${!var:-}"
done >"$night/night.env"

ARRAY_JOBS=$(submit_shards "$night" "0-$((N - 1))")
MERGE_JOB=$(submit_merge "$night" "$ARRAY_JOBS")
write_jobs "$night"
say "night $night: array job $ARRAY_JOBS ($N shards, $CPUS_PER_TASK cpus each), merge job $MERGE_JOB after it into $OUT"
print_jobs "$night" "$ARRAY_JOBS"
