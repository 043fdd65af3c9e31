#!/usr/bin/env bash
set -euo pipefail
# git.sh: the git functions clone.sh and sync.sh share: redact_url, refuse_credentials_in_url,
# setup_token_helper, access_hint, git_with_token and ssh_command_for. Never run on its own: only
# the clone and sync_branch steps include it, in their environment as CARBON_GIT_HELPERS, and their
# scripts run eval "$CARBON_GIT_HELPERS" after eval "$CARBON_HELPERS" (helpers.sh): these
# functions report through fail and name variables through shown_name.
#
# Reads (environment):
#   CARBON_GIT_TOKEN_ENV  optional  NAME of the variable holding an https token (setup_token_helper,
#                                   access_hint)
# Writes: nothing itself.

# Never trace, even under an inherited set -x (BASH_ENV): it would print tokens, keys and task
# definitions. Nothing runs before this line.
set +x

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
