#!/usr/bin/env bash
set -euo pipefail
# known-hosts.sh: trust the SSH host keys of the git hosts a job reaches, so that `git` over SSH
# does not stop at "Host key verification failed". The keys are pinned (given, never scanned): a
# host presenting another key is refused, as it should be.
#
# Reads (environment):
#   CARBON_KNOWN_HOSTS  optional  known_hosts lines ("host keytype key"), one per line; empty:
#                                 GitHub's published keys (docs.github.com, "GitHub's SSH key
#                                 fingerprints"), which CircleCI's checkout step would have added
# Writes:
#   $HOME/.ssh/known_hosts        each line not already there is appended (mode 600; ~/.ssh 700)

# Never trace, even under an inherited set -x (BASH_ENV): it would print tokens, keys and task
# definitions. Nothing runs before this line.
set +x

readonly github_keys='github.com ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl
github.com ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg='
lines="${CARBON_KNOWN_HOSTS:-$github_keys}"

ssh_dir="${HOME}/.ssh"
known_hosts="${ssh_dir}/known_hosts"
mkdir -p "$ssh_dir"
chmod 700 "$ssh_dir"
touch "$known_hosts"
chmod 600 "$known_hosts"

added=0
while IFS= read -r line; do
  line="${line#"${line%%[![:space:]]*}"}"
  [[ -z "$line" || "$line" == \#* ]] && continue
  if [[ "$(printf '%s\n' "$line" | awk '{ print NF }')" -lt 3 ]]; then
    printf 'known-hosts.sh: error: not a known_hosts line (host keytype key): %s\n' "$line" >&2
    exit 1
  fi
  if ! grep -qxF -- "$line" "$known_hosts"; then
    printf '%s\n' "$line" >>"$known_hosts"
    added=$((added + 1))
  fi
done < <(printf '%s\n' "$lines")
printf 'Trusting %d new host key line(s) in %s.\n' "$added" "$known_hosts"
