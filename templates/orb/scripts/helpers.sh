#!/usr/bin/env bash
set -euo pipefail
# helpers.sh: the message functions the orb's scripts share: set_script_name, fail, warn, require
# and shown_name. Never run on its own: as CircleCI's own orbs pass their utils.sh, a step that
# needs it includes this file in its environment as CARBON_HELPERS, and its script runs
# eval "$CARBON_HELPERS" after set +x, then set_script_name with its own name. The git functions
# of clone.sh and sync.sh are in git.sh, which only their steps include.
#
# Reads (environment): nothing.
# Writes: nothing itself.

# Never trace, even under an inherited set -x (BASH_ENV): it would print tokens, keys and task
# definitions. Nothing runs before this line.
set +x

# Names the running script in the messages of fail and warn.
set_script_name() { readonly script_name="$1"; }

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

# Names a variable in messages without printing a secret that was set there by mistake.
shown_name() {
  if [[ "$1" =~ ^[A-Z_][A-Z0-9_]{0,63}$ ]]; then printf '%s' "$1"; else printf '(name not shown)'; fi
}
