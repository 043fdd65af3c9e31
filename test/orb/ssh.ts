// SSH for the orb tests: real keys made by ssh-keygen, stored the way CircleCI's add_ssh_keys stores
// them (~/.ssh/id_rsa_<MD5 fingerprint without colons>), and a git host reached through an `ssh`
// first on PATH: it lets in only the keys authorized for a repository, and only when ssh would offer
// nothing else (IdentitiesOnly=yes), then runs git's upload-pack or receive-pack on a local bare
// repository. What each connection offered is recorded.
import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Sandbox } from './harness.ts';
import { shellQuote } from './git.ts';

export interface CircleCiKey {
  /** ~/.ssh/id_rsa_<md5 hex>, as add_ssh_keys names it. */
  file: string;
  /** MD5:aa:bb:... as `ssh-keygen -l -E md5` prints it. */
  md5: string;
  /** SHA256:... as CircleCI's settings page shows it. */
  sha256: string;
  publicKey: string;
}

const fingerprint = (file: string, hash: 'md5' | 'sha256') =>
  execFileSync('ssh-keygen', ['-l', '-E', hash, '-f', file], { encoding: 'utf8' }).split(' ')[1]!;

/** A new ed25519 key pair at `file` (and `file`.pub), with its fingerprints. */
export function makeKey(file: string, comment: string): CircleCiKey {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  const publicKey = readFileSync(`${file}.pub`, 'utf8').split(' ').slice(0, 2).join(' ');
  return { file, md5: fingerprint(file, 'md5'), sha256: fingerprint(file, 'sha256'), publicKey };
}

/** The name add_ssh_keys gives a key: id_rsa_<MD5 fingerprint without colons>. */
export function circleCiKeyName(key: CircleCiKey): string {
  return `id_rsa_${key.md5.slice('MD5:'.length).replaceAll(':', '')}`;
}

/** Makes `count` keys with ssh-keygen and loads them as add_ssh_keys would. */
export function loadCircleCiKeys(sandbox: Sandbox, count: number): CircleCiKey[] {
  const ssh = join(sandbox.home, '.ssh');
  mkdirSync(ssh, { recursive: true, mode: 0o700 });
  const scratch = join(sandbox.root, 'keygen');
  mkdirSync(scratch, { recursive: true });
  return Array.from({ length: count }, (_, index) => {
    const made = makeKey(join(scratch, `key-${index}`), `key ${index}`);
    const file = join(ssh, circleCiKeyName(made));
    writeFileSync(file, readFileSync(made.file), { mode: 0o600 });
    return { ...made, file };
  });
}

export interface SshConnection {
  identity: string;
  identitiesOnly: boolean;
  host: string;
  command: string;
  admitted: boolean;
}

export interface SshHost {
  /** `git@git.example.test:<path>`, for a bare repository at remotes/<path>. */
  url: (path: string) => string;
  /** Lets `key` read and write the repository at remotes/<path>. */
  authorize: (path: string, key: CircleCiKey) => void;
  connections: () => SshConnection[];
}

/** Puts the recording, key-checking `ssh` first on the sandbox's PATH. */
export function installSshHost(sandbox: Sandbox): SshHost {
  const remotes = join(sandbox.root, 'remotes');
  const keys = join(sandbox.root, 'ssh-authorized');
  const log = join(sandbox.root, 'ssh-connections.jsonl');
  mkdirSync(remotes, { recursive: true });
  mkdirSync(keys, { recursive: true });
  writeFileSync(log, '');
  const script = `#!/usr/bin/env bash
set -euo pipefail
identity='' only=no host='' command=()
while (($#)); do
  case "$1" in
    -i) identity="$2"; shift 2 ;;
    -o) [[ "$2" != IdentitiesOnly=yes ]] || only=yes; shift 2 ;;
    -p|-l|-F) shift 2 ;;
    -*) shift ;;
    *) if [[ -z "$host" ]]; then host="$1"; else command+=("$1"); fi; shift ;;
  esac
done
request="\${command[*]}"
path="\${request#* }"; path="\${path//\\'/}"
offered=''
[[ -z "$identity" ]] || offered="$(ssh-keygen -y -f "$identity" | cut -d' ' -f1,2)"
admitted=false
if [[ "$only" == yes && -n "$offered" ]] && grep -qxF -- "$offered" ${shellQuote(keys)}/"\${path//\\//_}" 2>/dev/null; then
  admitted=true
fi
jq -cn --arg identity "$identity" --arg only "$only" --arg host "$host" --arg command "$request" \\
  --argjson admitted "$admitted" \\
  '{identity: $identity, identitiesOnly: ($only == "yes"), host: $host, command: $command, admitted: $admitted}' \\
  >>${shellQuote(log)}
if [[ "$admitted" != true ]]; then
  echo "git@git.example.test: Permission denied (publickey)." >&2
  exit 255
fi
cd ${shellQuote(remotes)}
exec "\${request%% *}" "$path"
`;
  const wrapper = join(sandbox.bin, 'ssh');
  writeFileSync(wrapper, script);
  chmodSync(wrapper, 0o755);
  return {
    url: (path) => `git@git.example.test:${path}`,
    authorize: (path, key) => {
      const file = join(keys, path.replaceAll('/', '_'));
      mkdirSync(dirname(file), { recursive: true });
      appendFileSync(file, `${key.publicKey}\n`);
    },
    connections: () =>
      readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as SshConnection),
  };
}
