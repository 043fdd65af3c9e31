#!/usr/bin/env bash
set -euo pipefail
# clone.sh: shallow, single-branch clone of one repository at one branch into a folder.
#
# Reads (environment):
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
readonly script_name='clone.sh'

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
