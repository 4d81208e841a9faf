#!/usr/bin/env bash
# Recovers a night whose shard task (or merge) failed. After a failed task the merge job stays
# PENDING with reason DependencyNeverSatisfied and never starts by itself (not even when the
# task is requeued and succeeds). This script, once no task of the night is queued or running:
#   1. cancels that merge job;
#   2. resubmits only the shards without a finished store (no NIGHT_DIR/shard-K.ok):
#      sbatch --array=K[,K...] shard.sbatch NIGHT_DIR, with the night's own settings (night.env);
#   3. submits a new merge job with --dependency=afterok:<that array job> (at once when every
#      shard is done, e.g. after a failed merge). The merge reads all N stores and refuses,
#      naming the shard, if one is still missing.
#   deploy/slurm/resubmit.sh NIGHT_DIR      (NIGHT_DIR: printed by submit.sh)
# Prints ARRAY_JOB= (empty when no shard was rerun), MERGE_JOB= and NIGHT_DIR= lines on
# stdout, like submit.sh. Run it again if a rerun fails too.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

[ $# -eq 1 ] || die "usage: resubmit.sh NIGHT_DIR"
night=$(realpath -s "$1")
if [ ! -f "$night/night.env" ] || [ ! -f "$night/jobs.env" ]; then
  die "$night is not a night folder made by submit.sh"
fi
source "$night/night.env"
source "$night/jobs.env"
if [ -f "$night/merged.ok" ]; then
  say "night $night is merged already: nothing to do"
  exit 0
fi

# The job's tasks still queued or running, one "ID STATE REASON" a line; nothing once it ended
# (squeue answers "Invalid job id" for a job Slurm has already forgotten).
queued() {
  local out
  if out=$(squeue --noheader --array --jobs="$1" --format='%i %T %r' 2>&1); then
    printf '%s' "$out"
  elif [[ "$out" != *"Invalid job id"* ]]; then
    die "squeue failed: $out"
  fi
}
for job in $ARRAY_JOBS; do
  active=$(queued "$job")
  [ -z "$active" ] || die "shard tasks of $night are still queued or running; run this again when they have ended:
$active"
done
merge=$(queued "$MERGE_JOB")
case "$merge" in
  "") ;;
  *" RUNNING "* | *" COMPLETING "*) die "merge job $MERGE_JOB is running: $merge" ;;
  *) scancel "$MERGE_JOB"
     say "cancelled merge job $MERGE_JOB (was: ${merge#* })" ;;
esac

missing=()
for ((k = 0; k < N; k++)); do
  [ -f "$night/shard-$k.ok" ] || missing+=("$k")
done
array_job=
if [ ${#missing[@]} -gt 0 ]; then
  indices=$(IFS=,; echo "${missing[*]}")
  array_job=$(submit_shards "$night" "$indices")
  ARRAY_JOBS="$ARRAY_JOBS $array_job"
  say "resubmitted shards $indices of $N as array job $array_job"
else
  say "every shard is done; only the merge is resubmitted"
fi
MERGE_JOB=$(submit_merge "$night" "$array_job")
write_jobs "$night"
say "merge job $MERGE_JOB${array_job:+ after array job $array_job} into $OUT"
print_jobs "$night" "$array_job"
