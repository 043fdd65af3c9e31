#!/usr/bin/env bash
set -euo pipefail
# clone.sh: shallow, single-branch clone of one repository at one branch into a folder.
#
# Reads (environment):
#   CARBON_HELPERS              required  scripts/helpers.sh, which the step includes
#   CARBON_GIT_HELPERS          required  scripts/git.sh, which the step includes too
#   CARBON_CLONE_URL            required  repository URL: https://, ssh://, git@host:path or file://.
#                                         Never with credentials in it (use CARBON_GIT_TOKEN_ENV).
#   CARBON_CLONE_BRANCH         required  branch to clone
#   CARBON_CLONE_PATH           required  folder to clone into, relative to the current directory;
#                                         must not exist, or be empty
#   CARBON_SSH_KEY_FINGERPRINT  optional  fingerprint (SHA256:... or MD5 aa:bb:...) of a key that
#                                         add_ssh_keys loaded: for an SSH URL, git offers only the
#                                         $HOME/.ssh/id_rsa_* key with that fingerprint (ssh-keygen -l), and
#                                         no such key is an error. Empty: the default SSH keys.
#   CARBON_GIT_TOKEN_ENV        optional  NAME of the environment variable holding an https token; git
#                                         reads it through a credential helper (never argv, never output).
#                                         Unset, or naming an empty variable: no token.
#   CARBON_STATE_DIR        required  the job's state folder: state-open.sh makes it and names it to
#                                     the later steps; state-cleanup.sh removes it at the end of the job
# Writes:
#   ./$CARBON_CLONE_PATH/           the clone (depth 1)
#   $CARBON_STATE_DIR/checkouts     one "<path> <commit sha>" line per clone; a line for the same path
#                                   is replaced
# Runs: git clone; on failure, git ls-remote to tell a missing branch from other failures.

# Never trace, even under an inherited set -x (BASH_ENV): it would print tokens, keys and task
# definitions. Nothing runs before this line.
set +x
eval "$CARBON_HELPERS"
eval "$CARBON_GIT_HELPERS"
set_script_name clone.sh

require CARBON_CLONE_URL 'the URL of the repository to clone'
require CARBON_CLONE_BRANCH 'the branch to clone'
require CARBON_CLONE_PATH 'the folder to clone into, relative to the current directory'

url="$CARBON_CLONE_URL"
branch="$CARBON_CLONE_BRANCH"
path="$CARBON_CLONE_PATH"
while [[ "$path" == */ && "$path" != / ]]; do path="${path%/}"; done
require CARBON_STATE_DIR "the job's state folder (the job's first step, state-open.sh, names it)"
state_dir="$CARBON_STATE_DIR"
(umask 077 && mkdir -p "$state_dir")

refuse_credentials_in_url CARBON_CLONE_URL
shown_url="$(redact_url "$url")"
git check-ref-format --branch "$branch" >/dev/null 2>&1 ||
  fail "CARBON_CLONE_BRANCH is not a valid branch name: '$branch'."
[[ "$path" != /* ]] ||
  fail "CARBON_CLONE_PATH must be relative to the current directory, got '$path'."
[[ "$path" != *[[:space:]]* ]] ||
  fail "CARBON_CLONE_PATH must not contain white space, got '$path'." \
    "The checkouts file records one '<path> <sha>' per line."
if [[ -e "$path" || -L "$path" ]]; then
  [[ -d "$path" ]] || fail "$path exists and is not a folder." "Choose another CARBON_CLONE_PATH."
  [[ -z "$(ls -A -- "$path")" ]] ||
    fail "$path already exists and is not empty." "Remove it, or choose another CARBON_CLONE_PATH."
fi

setup_token_helper
ssh_command="$(ssh_command_for "${CARBON_SSH_KEY_FINGERPRINT:-}" "$url")"
if [[ -n "$ssh_command" ]]; then
  export GIT_SSH_COMMAND="$ssh_command"
fi
export GIT_TERMINAL_PROMPT=0

printf 'Cloning %s (branch %s) into %s\n' "$shown_url" "$branch" "$path"
if ! git_with_token clone --depth 1 --single-branch --branch "$branch" -- "$url" "$path"; then
  # Tell a missing branch apart from other failures: ls-remote --exit-code exits 2 on no match.
  ls_status=0
  git_with_token ls-remote --exit-code --heads -- "$url" "refs/heads/$branch" >/dev/null 2>&1 ||
    ls_status=$?
  if [[ "$ls_status" -eq 2 ]]; then
    fail "branch '$branch' does not exist in $shown_url." \
      "Push the branch, or fix the branch name in the project settings."
  fi
  fail "could not clone $shown_url (branch $branch); git's message is above." \
    "Check the URL, and that this job's SSH key or token may read the repository." \
    "$(access_hint "$url" "${CARBON_SSH_KEY_FINGERPRINT:-}")"
fi
sha="$(git -C "$path" rev-parse HEAD)"

checkouts="$state_dir/checkouts"
next="$(mktemp "$state_dir/checkouts.XXXXXX")"
if [[ -f "$checkouts" ]]; then
  checkout_path="$path" awk \
    'substr($0, 1, length(ENVIRON["checkout_path"]) + 1) != ENVIRON["checkout_path"] " "' \
    "$checkouts" >"$next"
fi
printf '%s %s\n' "$path" "$sha" >>"$next"
mv -f "$next" "$checkouts"

printf 'Cloned %s (branch %s) at %s into %s\n' "$shown_url" "$branch" "$sha" "$path"
