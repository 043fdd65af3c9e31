#!/usr/bin/env bash
set -euo pipefail
# sync.sh: copy a branch from a source repository to a target repository, fast-forward only.
# A diverged target fails the job and is left untouched; the push carries a lease on the target's
# old commit (git push --force-with-lease) so a concurrent change is never overwritten.
#
# Reads (environment):
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
readonly script_name='sync.sh'

fail() {
  printf '%s: error: %s\n' "$script_name" "$1" >&2
  shift
  local line
  for line in "$@"; do printf '  %s\n' "$line" >&2; done
  exit 1
}

warn() {
  printf '%s: warning: %s\n' "$script_name" "$1" >&2
  shift
  local line
  for line in "$@"; do printf '  %s\n' "$line" >&2; done
}

require() {
  [[ -n "${!1:-}" ]] || fail "$1 is not set." "Set $1 to $2."
}

# --- git helpers, identical in clone.sh and sync.sh (scripts cannot source each other) ---

# Prints URL with any userinfo (user:token@) replaced by ***.
redact_url() { printf '%s\n' "$1" | sed -E 's#^([A-Za-z][A-Za-z0-9+.-]*://)[^/]*@#\1***@#'; }

# Fails when URL (held by variable $1) carries credentials: https://user:token@host, https://token@host.
refuse_credentials_in_url() {
  local name="$1" url="${!1}"
  if [[ "$url" =~ ^([A-Za-z][A-Za-z0-9+.-]*)://([^/]*)@ ]]; then
    if [[ "${BASH_REMATCH[2]}" == *:* || "${BASH_REMATCH[1]}" =~ ^(https?|ftps?)$ ]]; then
      fail "$name carries credentials: $(redact_url "$url")" \
        "A token in a URL ends up in logs and in .git/config. Use the plain URL, put the token in" \
        "an environment variable (a CircleCI context secret) and set CARBON_GIT_TOKEN_ENV to its name."
    fi
  fi
}

# Names a variable in messages without printing a secret that was set there by mistake.
shown_name() {
  if [[ "$1" =~ ^[A-Z_][A-Z0-9_]{0,63}$ ]]; then printf '%s' "$1"; else printf '(name not shown)'; fi
}

# Sets token_helper: a credential helper that reads the token from the variable named by
# CARBON_GIT_TOKEN_ENV when git asks for it, so the token never appears in argv or output.
token_helper=''
setup_token_helper() {
  local name="${CARBON_GIT_TOKEN_ENV:-}"
  [[ -n "$name" ]] || return 0
  [[ "$name" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] ||
    fail "CARBON_GIT_TOKEN_ENV must be the NAME of an environment variable, such as GITHUB_TOKEN." \
      "Its value is not shown: it may be the token itself."
  [[ -n "${!name:-}" ]] || return 0
  export "${name?}"
  token_helper="!f() { test \"\$1\" = get || return 0; echo username=x-access-token; printf 'password=%s\\n' \"\$$name\"; }; f"
}

# Says which credentials git used for the URL $1 (with the SSH key of fingerprint $2, if any), for
# the hints of failed git commands: an SSH URL uses a key, any other may use the https token.
access_hint() {
  case "$1" in
    https://*) ;;
    ssh://* | [!/]*@*:*)
      if [[ -n "${2:-}" ]]; then
        printf 'SSH used only the key with fingerprint %s (git.sshKeys), as add_ssh_keys stored it.' "$2"
      else
        printf 'SSH used the default keys: no git.sshKeys entry gives a key for this repository.'
      fi
      return 0
      ;;
  esac
  if [[ -n "$token_helper" ]]; then
    printf 'https URLs used the token in %s (CARBON_GIT_TOKEN_ENV).' "$(shown_name "$CARBON_GIT_TOKEN_ENV")"
  elif [[ -n "${CARBON_GIT_TOKEN_ENV:-}" ]]; then
    printf 'https URLs used no token: %s (named by CARBON_GIT_TOKEN_ENV) is empty or unset.' \
      "$(shown_name "$CARBON_GIT_TOKEN_ENV")"
  else
    printf 'https URLs used no token: CARBON_GIT_TOKEN_ENV is not set.'
  fi
}

# Runs git with the token credential helper (when there is one) replacing any configured helper.
git_with_token() {
  if [[ -n "$token_helper" ]]; then
    git -c credential.helper= -c "credential.helper=$token_helper" "$@"
  else
    git "$@"
  fi
}

# Prints the GIT_SSH_COMMAND that offers only the SSH key with fingerprint $1 (SHA256:<base64>, or
# MD5 as aa:bb:...:ff, optionally MD5:-prefixed) to the git URL $2, finding it among the keys
# add_ssh_keys stored ($HOME/.ssh/id_rsa_<MD5 without colons>) by their fingerprints. Prints
# nothing when no fingerprint is given or the URL does not use SSH: git then uses the default keys.
# A fingerprint without its key fails: ssh would offer another key "regardless of whether it is the
# correct key" (CircleCI's documentation), and the error would blame the repository's access.
ssh_command_for() {
  local fingerprint="$1" url="$2" hash wanted key listed loaded=()
  [[ -n "$fingerprint" ]] || return 0
  [[ "$url" =~ ^ssh:// || "$url" =~ ^[^/:]+@[^/:]+: ]] || return 0
  if [[ "$fingerprint" == SHA256:* ]]; then
    hash=sha256 wanted="$fingerprint"
  else
    wanted="${fingerprint#MD5:}"
    [[ "$wanted" =~ ^([0-9A-Fa-f]{2}:){15}[0-9A-Fa-f]{2}$ ]] ||
      fail "'$fingerprint' is not an SSH key fingerprint." \
        "Write it as SHA256:<base64> or as MD5 aa:bb:...:ff, as CircleCI shows it (Project Settings > SSH Keys)."
    hash=md5 wanted="MD5:$(printf '%s' "$wanted" | tr '[:upper:]' '[:lower:]')"
  fi
  for key in "$HOME"/.ssh/id_rsa_*; do
    [[ -f "$key" && "$key" != *.pub ]] || continue
    listed="$(ssh-keygen -l -E "$hash" -f "$key" 2>/dev/null | awk '{ print $2 }')" || continue
    if [[ "$listed" == "$wanted" ]]; then
      printf 'ssh -i %q -o IdentitiesOnly=yes' "$key"
      return 0
    fi
    loaded+=("${listed:-unreadable} (${key##*/})")
  done
  fail "no SSH key with fingerprint $fingerprint is loaded for $(redact_url "$url")." \
    "Add its private key to the CircleCI project (Project Settings > SSH Keys, for the git host);" \
    "the orb's add_ssh_keys step then loads it as $HOME/.ssh/id_rsa_<MD5 fingerprint>." \
    "Keys loaded now: ${loaded[*]:-none}"
}

# --- end of git helpers ---

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
