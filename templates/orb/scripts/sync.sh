#!/usr/bin/env bash
set -euo pipefail
# sync.sh: copy a branch from a source repository to a target repository, fast-forward only.
# A diverged target fails the job and is left untouched; the push carries a lease on the target's
# old commit (git push --force-with-lease) so a concurrent change is never overwritten.
#
# Reads (environment):
#   CARBON_HELPERS              required  scripts/helpers.sh, which the step includes
#   CARBON_GIT_HELPERS          required  scripts/git.sh, which the step includes too
#   CARBON_SYNC_SOURCE_URL      required  repository to copy from (https://, ssh://, git@host:path, file://)
#   CARBON_SYNC_SOURCE_BRANCH   required  branch to copy
#   CARBON_SYNC_TARGET_URL      required  repository to copy to
#   CARBON_SYNC_TARGET_BRANCH   required  branch to create or fast-forward
#   CARBON_SYNC_SOURCE_SSH_KEY  optional  fingerprint (SHA256:... or MD5 aa:bb:...) of the key that
#                                         add_ssh_keys loaded for the source remote: for an SSH URL, git
#                                         offers only the $HOME/.ssh/id_rsa_* key with that fingerprint
#                                         (ssh-keygen -l); no such key is an error. Empty: default keys.
#   CARBON_SYNC_TARGET_SSH_KEY  optional  the same for the target remote (it needs write access)
#   CARBON_GIT_TOKEN_ENV        optional  NAME of the environment variable holding an https token for
#                                         both remotes, read by a credential helper (never argv or output).
#                                         Unset, or naming an empty variable: no token.
#   CARBON_STATE_DIR        required  the job's state folder: state-open.sh makes it and names it to
#                                     the later steps; state-cleanup.sh removes it at the end of the job
#   URLs never carry credentials (refused); the token goes through CARBON_GIT_TOKEN_ENV.
# Writes:
#   $CARBON_STATE_DIR/sync.XXXXXX/  scratch bare repository, removed on exit
#   the target branch of the target repository (created, or fast-forwarded)
# Runs, in order:
#   git ls-remote TARGET refs/heads/TARGET_BRANCH
#   git fetch SOURCE refs/heads/SOURCE_BRANCH      (into the scratch repository; full history)
#   when the target branch exists and differs: git fetch TARGET refs/heads/TARGET_BRANCH,
#     git merge-base --is-ancestor TARGET_SHA SOURCE_SHA
#   git push --porcelain --force-with-lease=refs/heads/TARGET_BRANCH:<TARGET_SHA or empty>
#     TARGET SOURCE_SHA:refs/heads/TARGET_BRANCH  (never --force, never +refspec)
#   exit 0 "up to date" when both branches are at the same commit.

# Never trace, even under an inherited set -x (BASH_ENV): it would print tokens, keys and task
# definitions. Nothing runs before this line.
set +x
eval "$CARBON_HELPERS"
eval "$CARBON_GIT_HELPERS"
set_script_name sync.sh

# Runs git (with the token helper) for one remote; $1 is that remote's GIT_SSH_COMMAND, or ''.
git_remote() {
  local ssh_command="$1"
  shift
  if [[ -n "$ssh_command" ]]; then
    GIT_SSH_COMMAND="$ssh_command" git_with_token "$@"
  else
    git_with_token "$@"
  fi
}

require CARBON_SYNC_SOURCE_URL 'the URL of the repository to copy from'
require CARBON_SYNC_SOURCE_BRANCH 'the branch to copy'
require CARBON_SYNC_TARGET_URL 'the URL of the repository to copy to'
require CARBON_SYNC_TARGET_BRANCH 'the branch to create or fast-forward'

source_url="$CARBON_SYNC_SOURCE_URL"
source_branch="$CARBON_SYNC_SOURCE_BRANCH"
target_url="$CARBON_SYNC_TARGET_URL"
target_branch="$CARBON_SYNC_TARGET_BRANCH"
source_ref="refs/heads/$source_branch"
target_ref="refs/heads/$target_branch"
require CARBON_STATE_DIR "the job's state folder (the job's first step, state-open.sh, names it)"
state_dir="$CARBON_STATE_DIR"
(umask 077 && mkdir -p "$state_dir")

refuse_credentials_in_url CARBON_SYNC_SOURCE_URL
refuse_credentials_in_url CARBON_SYNC_TARGET_URL
shown_source="$(redact_url "$source_url")"
shown_target="$(redact_url "$target_url")"
git check-ref-format --branch "$source_branch" >/dev/null 2>&1 ||
  fail "CARBON_SYNC_SOURCE_BRANCH is not a valid branch name: '$source_branch'."
git check-ref-format --branch "$target_branch" >/dev/null 2>&1 ||
  fail "CARBON_SYNC_TARGET_BRANCH is not a valid branch name: '$target_branch'."

setup_token_helper
source_ssh="$(ssh_command_for "${CARBON_SYNC_SOURCE_SSH_KEY:-}" "$source_url")"
target_ssh="$(ssh_command_for "${CARBON_SYNC_TARGET_SSH_KEY:-}" "$target_url")"
export GIT_TERMINAL_PROMPT=0

printf 'Syncing %s %s -> %s %s (fast-forward only)\n' \
  "$shown_source" "$source_branch" "$shown_target" "$target_branch"

# 1. Where is the target branch now? (empty: it does not exist yet)
listing="$(git_remote "$target_ssh" ls-remote -- "$target_url" "$target_ref")" ||
  fail "could not read the branches of the target $shown_target; git's message is above." \
    "Check the URL, and that this job's SSH key or token may access the repository." \
    "$(access_hint "$target_url" "${CARBON_SYNC_TARGET_SSH_KEY:-}")"
target_sha="$(printf '%s\n' "$listing" |
  wanted_ref="$target_ref" awk '$2 == ENVIRON["wanted_ref"] { print $1 }')"

# 2. Fetch the source branch, with its history, into a scratch repository.
scratch="$(mktemp -d "$state_dir/sync.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
git -c init.defaultBranch=carbon init --quiet --bare "$scratch"
if ! git_remote "$source_ssh" -C "$scratch" fetch --quiet --no-tags -- \
  "$source_url" "$source_ref:refs/carbon/source"; then
  ls_status=0
  git_remote "$source_ssh" ls-remote --exit-code --heads -- "$source_url" "$source_ref" \
    >/dev/null 2>&1 || ls_status=$?
  if [[ "$ls_status" -eq 2 ]]; then
    fail "the source branch '$source_branch' does not exist in $shown_source." \
      "Push it, or fix the sync branches in the project settings. The target was not changed."
  fi
  fail "could not fetch branch '$source_branch' from the source $shown_source; git's message is above." \
    "Check the URL, and that this job's SSH key or token may read the repository." \
    "$(access_hint "$source_url" "${CARBON_SYNC_SOURCE_SSH_KEY:-}")"
fi
source_sha="$(git -C "$scratch" rev-parse --verify --quiet 'refs/carbon/source^{commit}')"

if [[ "$source_sha" == "$target_sha" ]]; then
  printf 'up to date: %s %s and %s %s are both at %s\n' \
    "$shown_source" "$source_branch" "$shown_target" "$target_branch" "$source_sha"
  exit 0
fi

lease_refused() {
  local was="was at $target_sha"
  [[ -n "$target_sha" ]] || was='did not exist'
  fail "the target branch '$target_branch' of $shown_target changed during the sync; nothing was overwritten." \
    "It $was when the sync started. The next run syncs from its new state."
}

# Pushes the source commit to the target branch, leased on the target's old commit ($1; empty:
# the branch must still not exist). Never --force, never +refspec.
push_with_lease() {
  local expected="$1" output status=0
  output="$(git_remote "$target_ssh" -C "$scratch" push --porcelain \
    "--force-with-lease=$target_ref:$expected" -- "$target_url" "$source_sha:$target_ref" 2>&1)" ||
    status=$?
  if [[ "$status" -ne 0 ]]; then
    printf '%s\n' "$output" >&2
    [[ "$output" != *"stale info"* ]] || lease_refused
    fail "git push to $shown_target $target_branch failed; git's message is above." \
      "Check that this job's SSH key or token may push to $target_branch (branch protection?)." \
      "$(access_hint "$target_url" "${CARBON_SYNC_TARGET_SSH_KEY:-}")"
  fi
}

# 3a. The target branch does not exist: create it at the source commit.
if [[ -z "$target_sha" ]]; then
  push_with_lease ''
  printf 'Created branch %s in %s at %s (from %s %s)\n' \
    "$target_branch" "$shown_target" "$source_sha" "$shown_source" "$source_branch"
  exit 0
fi

# 3b. The target branch exists: fast-forward it when it is an ancestor of the source commit.
git_remote "$target_ssh" -C "$scratch" fetch --quiet --no-tags -- \
  "$target_url" "$target_ref:refs/carbon/target" ||
  fail "could not fetch branch '$target_branch' from the target $shown_target; git's message is above." \
    "$(access_hint "$target_url" "${CARBON_SYNC_TARGET_SSH_KEY:-}")"
fetched_sha="$(git -C "$scratch" rev-parse --verify --quiet 'refs/carbon/target^{commit}')"
[[ "$fetched_sha" == "$target_sha" ]] || lease_refused

ancestor_status=0
git -C "$scratch" merge-base --is-ancestor "$target_sha" "$source_sha" || ancestor_status=$?
if [[ "$ancestor_status" -eq 1 ]]; then
  merge_base="$(git -C "$scratch" merge-base "$target_sha" "$source_sha" || true)"
  how='the branches have diverged'
  [[ "$merge_base" != "$source_sha" ]] || how='the target has commits the source does not have'
  fail "cannot fast-forward: $how. The target was left untouched." \
    "source: $shown_source $source_branch at $source_sha" \
    "target: $shown_target $target_branch at $target_sha" \
    "last common commit: ${merge_base:-none (unrelated histories)}" \
    "Bring the target's commits into the source branch (merge or rebase there), or reset the" \
    "target branch to an ancestor of the source branch; the next run then fast-forwards it."
elif [[ "$ancestor_status" -ne 0 ]]; then
  fail "git merge-base could not compare $target_sha and $source_sha (exit $ancestor_status)."
fi

push_with_lease "$target_sha"
count="$(git -C "$scratch" rev-list --count "$target_sha..$source_sha")"
printf 'Fast-forwarded %s %s from %s to %s (%s commit(s) from %s %s)\n' \
  "$shown_target" "$target_branch" "$target_sha" "$source_sha" "$count" "$shown_source" "$source_branch"
