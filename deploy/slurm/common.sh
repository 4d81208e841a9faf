# Sourced by submit.sh and resubmit.sh (not run on its own): the two sbatch calls and the
# night's files. A night's folder NIGHT_DIR holds
#   night.env            the settings the night was submitted with (read by the job scripts)
#   jobs.env             ARRAY_JOBS (every array job of the night) and MERGE_JOB (the latest)
#   shard-K.db, .ok      shard K's store, and the mark that it finished
#   shard-K.log          the task's output (a rerun appends)
#   merge.log, merged.ok the merge job's output, and the mark that it finished

slurm_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

die() {
  echo "stancegraph-slurm: $*" >&2
  exit 2
}

say() {
  echo "stancegraph-slurm: $*" >&2
}

command -v sbatch >/dev/null || die "sbatch not found: run this on a Slurm login node"

# The options every job of the night gets (SBATCH_ARGS: partition, time limit, memory, ...).
sbatch_common() {
  local extra
  read -ra extra <<<"${SBATCH_ARGS:-}"
  printf '%s\n' --parsable --chdir="$1" --open-mode=append "${extra[@]}"
}

# submit_shards NIGHT_DIR INDICES: the array job of those shard indices ("0-3", "2", "1,3");
# prints its job id.
submit_shards() {
  local night=$1 indices=$2 common id
  mapfile -t common < <(sbatch_common "$night")
  id=$(sbatch "${common[@]}" --array="$indices${ARRAY_LIMIT:+%$ARRAY_LIMIT}" \
    --cpus-per-task="$CPUS_PER_TASK" --output="$night/shard-%a.log" \
    "$slurm_dir/shard.sbatch" "$night") || die "sbatch of the shard array failed"
  echo "${id%%;*}"
}

# submit_merge NIGHT_DIR [ARRAY_JOB]: the merge job, after every task of ARRAY_JOB succeeded
# (or at once without it); prints its job id.
submit_merge() {
  local night=$1 after=${2:-} common id
  mapfile -t common < <(sbatch_common "$night")
  id=$(sbatch "${common[@]}" ${after:+--dependency=afterok:$after} \
    --cpus-per-task="${MERGE_CPUS:-$CPUS_PER_TASK}" --output="$night/merge.log" \
    "$slurm_dir/merge.sbatch" "$night") || die "sbatch of the merge job failed"
  echo "${id%%;*}"
}

# write_jobs NIGHT_DIR: records ARRAY_JOBS and MERGE_JOB for resubmit.sh.
write_jobs() {
  printf 'ARRAY_JOBS=%q\nMERGE_JOB=%q\n' "$ARRAY_JOBS" "$MERGE_JOB" >"$1/jobs.env.tmp"
  mv "$1/jobs.env.tmp" "$1/jobs.env"
}

# print_jobs NIGHT_DIR ARRAY_JOB: the ids on stdout, one VAR=value a line (for eval or grep),
# and what to do when a task fails on stderr.
print_jobs() {
  printf 'ARRAY_JOB=%s\nMERGE_JOB=%s\nNIGHT_DIR=%s\n' "$2" "$MERGE_JOB" "$1"
  say "if a shard task fails, the merge job stays PENDING (DependencyNeverSatisfied);" \
    "once the other tasks have ended, run: $slurm_dir/resubmit.sh $1"
}
