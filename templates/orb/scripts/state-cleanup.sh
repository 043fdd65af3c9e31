#!/usr/bin/env bash
set -euo pipefail
# state-cleanup.sh: remove the job's state folder at the end of the job, whether it succeeded or
# failed: it holds requests and answers of AWS (the task definition with its plaintext environment
# variables), build metadata and scratch repositories, none of which may outlive the job on a
# machine that runs other jobs.
#
# Reads (environment):
#   CARBON_HELPERS          required  scripts/helpers.sh, which the step includes
#   CARBON_STATE_DIR        optional  the job's state folder, named by state-open.sh (through BASH_ENV,
#                                     which the shell sources before this script); unset: nothing to remove
# Writes:
#   removes the state folder with everything in it; only a folder of this user, never /, $HOME or
#   the current directory

# Never trace, even under an inherited set -x (BASH_ENV): it would print tokens, keys and task
# definitions. Nothing runs before this line.
set +x
eval "$CARBON_HELPERS"
set_script_name state-cleanup.sh

state_dir="${CARBON_STATE_DIR:-}"
if [[ -z "$state_dir" || ! -e "$state_dir" ]]; then
  printf 'No state folder to remove%s.\n' "${state_dir:+ ($state_dir does not exist)}"
  exit 0
fi
[[ -d "$state_dir" && ! -L "$state_dir" && -O "$state_dir" ]] ||
  fail "$state_dir is not a folder of this user; it was left alone."
resolved="$(cd -P -- "$state_dir" && pwd)"
for forbidden in / "${HOME:-/}" "$(pwd -P)"; do
  [[ "$resolved" != "$(cd -P -- "$forbidden" 2>/dev/null && pwd || printf '%s' "$forbidden")" ]] ||
    fail "refusing to remove $state_dir ($resolved): CARBON_STATE_DIR must name a folder of its own."
done
rm -rf -- "$state_dir"
printf 'Removed the state folder %s.\n' "$state_dir"
