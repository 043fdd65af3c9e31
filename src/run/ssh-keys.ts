// add_ssh_keys as carbon run plays it: CircleCI puts each key of the project that a job asks for,
// by fingerprint, in ~/.ssh/id_rsa_<MD5 fingerprint without colons>, and the orb's scripts find a
// key there by computing fingerprints. Here the keys are yours: each private key in your ~/.ssh
// (with its .pub beside it, or named as CircleCI names them) whose fingerprint a step asks for is
// linked under CircleCI's name into the job's own ~/.ssh, so the scripts find it exactly as they
// would on CircleCI, and nothing is copied or written into your ~/.ssh.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { kindOf, namesIn } from '../walk.ts';

interface KeyOffer {
  /** The fingerprint as the step gave it. */
  fingerprint: string;
  /** Your key that has it, or undefined when none has. */
  key?: string;
  /** Where the job finds it: ~/.ssh/id_rsa_<md5> in the job's HOME. */
  linked?: string;
}

/** The fingerprint in the form `ssh-keygen -l` prints, with the hash to ask it for. */
function normalized(fingerprint: string): { hash: 'sha256' | 'md5'; wanted: string } | undefined {
  if (fingerprint.startsWith('SHA256:')) return { hash: 'sha256', wanted: fingerprint };
  const md5 = fingerprint.replace(/^MD5:/, '');
  return /^([0-9A-Fa-f]{2}:){15}[0-9A-Fa-f]{2}$/.test(md5)
    ? { hash: 'md5', wanted: `MD5:${md5.toLowerCase()}` }
    : undefined;
}

/** Private keys in a ~/.ssh folder: those with a .pub beside them, and CircleCI-named ones. */
function privateKeys(folder: string): string[] {
  const names = namesIn(folder);
  return names
    .filter(
      (name) =>
        !name.endsWith('.pub') && (names.includes(`${name}.pub`) || name.startsWith('id_rsa_')),
    )
    .map((name) => join(folder, name))
    .filter((path) => kindOf(path) === 'file');
}

function computeFingerprint(key: string, hash: 'sha256' | 'md5'): string | undefined {
  // The .pub when there is one: it never asks for a passphrase.
  const file = existsSync(`${key}.pub`) ? `${key}.pub` : key;
  const listed = spawnSync('ssh-keygen', ['-l', '-E', hash, '-f', file], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return listed.status === 0 ? listed.stdout.split(' ')[1] : undefined;
}

/**
 * Your key (in `userHome`/.ssh) that has each fingerprint, with its MD5 fingerprint (CircleCI's
 * name for it), or none: what a dry run says, and what offerKeys links.
 */
export function findKeys(
  fingerprints: string[],
  userHome: string,
): { fingerprint: string; key?: string; md5?: string }[] {
  const keys = privateKeys(join(userHome, '.ssh'));
  // One ssh-keygen per key and hash, however many fingerprints are asked for.
  const listed = new Map<string, string | undefined>();
  const fingerprintOf = (key: string, hash: 'sha256' | 'md5') => {
    const name = `${hash} ${key}`;
    if (!listed.has(name)) listed.set(name, computeFingerprint(key, hash));
    return listed.get(name);
  };
  return fingerprints.map((fingerprint) => {
    const form = normalized(fingerprint);
    const key =
      form && keys.find((candidate) => fingerprintOf(candidate, form.hash) === form.wanted);
    const md5 = key && fingerprintOf(key, 'md5');
    return key && md5 ? { fingerprint, key, md5 } : { fingerprint };
  });
}

/**
 * Links into `jobHome`/.ssh each of your keys (in `userHome`/.ssh) that has one of `fingerprints`,
 * under the name CircleCI gives it. Returns what was found for each fingerprint.
 */
export function offerKeys(fingerprints: string[], userHome: string, jobHome: string): KeyOffer[] {
  const jobSsh = join(jobHome, '.ssh');
  return findKeys(fingerprints, userHome).map(({ fingerprint, key, md5 }) => {
    if (!key || !md5) return { fingerprint };
    mkdirSync(jobSsh, { recursive: true, mode: 0o700 });
    const linked = join(jobSsh, `id_rsa_${md5.slice('MD5:'.length).replaceAll(':', '')}`);
    if (!existsSync(linked)) {
      symlinkSync(key, linked);
      if (existsSync(`${key}.pub`)) symlinkSync(`${key}.pub`, `${linked}.pub`);
    }
    return { fingerprint, key, linked };
  });
}
