#!/usr/bin/env bash
set -euo pipefail
# state-open.sh: make the job's state folder and name it to the job's later steps, which keep in it
# what must pass from step to step (checkouts, AWS requests and answers, among them the task
# definition with its plaintext environment). One folder per job, never a fixed path: on a machine
# that runs several jobs (machine executors, self-hosted runners) a job must not read another's
# state, and state-cleanup.sh removes it at the end of the job.
#
# Reads (environment):
#   CARBON_HELPERS          required  scripts/helpers.sh, which the step includes
#   CARBON_STATE_DIR        optional  the folder to use. Default: ${TMPDIR:-/tmp}/carbon-state-<the job's
#                                     CIRCLE_WORKFLOW_JOB_ID>, else a new ${TMPDIR:-/tmp}/carbon-state-XXXXXXXX
#   CIRCLE_WORKFLOW_JOB_ID  optional  CircleCI's id of this job run
#   BASH_ENV                optional  file that later steps source (CircleCI sets it); required when
#                                     CARBON_STATE_DIR is not set
# Writes:
#   the state folder, mode 700; refuses one that is a link or belongs to another user (planted in a
#   shared /tmp)
#   $BASH_ENV: export CARBON_STATE_DIR=<the folder>

# Never trace, even under an inherited set -x (BASH_ENV): it would print tokens, keys and task
# definitions. Nothing runs before this line.
set +x
eval "$CARBON_HELPERS"
set_script_name state-open.sh

state_dir="${CARBON_STATE_DIR:-}"
if [[ -z "$state_dir" ]]; then
  [[ -n "${BASH_ENV:-}" ]] ||
    fail "neither CARBON_STATE_DIR nor BASH_ENV is set: the later steps could not find the state folder." \
      "Set CARBON_STATE_DIR to a folder of its own for this job (CircleCI sets BASH_ENV)."
  if [[ -n "${CIRCLE_WORKFLOW_JOB_ID:-}" ]]; then
    state_dir="${TMPDIR:-/tmp}/carbon-state-${CIRCLE_WORKFLOW_JOB_ID//[^A-Za-z0-9-]/-}"
  else
    state_dir="$(mktemp -d "${TMPDIR:-/tmp}/carbon-state-XXXXXXXX")"
  fi
  printf 'export CARBON_STATE_DIR=%q\n' "$state_dir" >>"$BASH_ENV"
fi
(umask 077 && mkdir -p "$state_dir")
[[ -d "$state_dir" && ! -L "$state_dir" && -O "$state_dir" ]] ||
  fail "the state folder $state_dir is a link or not this user's: it was not used." \
    "Remove it, or set CARBON_STATE_DIR to a folder of its own for this job."
chmod 700 "$state_dir"
printf "The job's state folder is %s.\n" "$state_dir"
