// git.sshKeys, indexed (links.ts): which entry opens a git URL, and which entries open nothing,
// held to the plain reading of the rule (every entry tried against every repository) over random
// entries and URLs: longest entry wins, the first written of entries that match alike, exact case.
import { describe, expect, it } from 'vitest';
import { gitKey, normalizeKeyPrefix, sshKeyFor, unusedSshKeys } from '../../src/resolve/links.ts';
import { random } from '../helpers/random.ts';

/** The rule as it reads: an entry opens a repository it names, or one under it. */
function opens(normalized: string, key: string): boolean {
  return key === normalized || key.startsWith(`${normalized}/`);
}

/** Every entry against the URL: the longest that opens it. */
function oracleKeyFor(written: string, sshKeys: Record<string, string>): string | undefined {
  const key = gitKey(written);
  if (key === undefined) return undefined;
  let best: { length: number; fingerprint: string } | undefined;
  for (const [prefix, fingerprint] of Object.entries(sshKeys)) {
    const normalized = normalizeKeyPrefix(prefix);
    if (opens(normalized, key) && (best === undefined || normalized.length > best.length))
      best = { length: normalized.length, fingerprint };
  }
  return best?.fingerprint;
}

/** Every entry against every repository: those that open none. */
function oracleUnused(sshKeys: Record<string, string>, keys: string[]): string[] {
  return Object.keys(sshKeys).filter(
    (prefix) => !keys.some((key) => opens(normalizeKeyPrefix(prefix), key)),
  );
}

// Few names, so that random entries and URLs meet often; names alike but for case, cut short, or
// with dots and `.git` in them.
const HOSTS = ['github.com', 'GitHub.com', 'gitlab.com', 'git.acme.io'];
const NAMES = ['acme', 'Acme', 'ac', 'acme-corp', 'api', 'API', 'web', 'a.b', 'x.git', 'group'];

function generator(seed: number) {
  const next = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  /** A path of `min` to `max` names. */
  const path = (min: number, max: number) =>
    Array.from({ length: min + Math.floor(next() * (max - min + 1)) }, () => pick(NAMES)).join('/');
  // URLs are drawn from a few repositories, and most entries are made from one of them.
  const repositories = Array.from(
    { length: 6 },
    () => `${pick(HOSTS)}/${path(2, 4)}${next() < 0.5 ? '.git' : ''}`,
  );
  const url = (): string => {
    const [host, ...rest] = (
      next() < 0.8 ? pick(repositories) : `${pick(HOSTS)}/${path(2, 4)}`
    ).split('/');
    const repo = rest.join('/');
    return pick([
      `${host}/${repo}`,
      `git@${host}:${repo}`,
      `https://${host}/${repo}`,
      `ssh://git@${host}:2222/${repo}`,
      `file:///srv/git/${repo}`,
    ]);
  };
  const entry = (): string => {
    const parts = (next() < 0.7 ? pick(repositories) : `${pick(HOSTS)}/${path(1, 3)}`).split('/');
    const named = parts.slice(0, 1 + Math.floor(next() * parts.length)).join('/');
    const cut = next() < 0.1 ? named.slice(0, Math.floor(next() * named.length)) : named;
    return `${cut}${pick(['', '', '', '.git', '/', '//', '.git/'])}`;
  };
  return { next, url, entry };
}

describe('git.sshKeys look-ups', () => {
  it('give the key the plain rule gives, for random entries and URLs', () => {
    const mismatches: string[] = [];
    let opened = 0;
    let chosen = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const { next, url, entry } = generator(seed);
      const sshKeys: Record<string, string> = {};
      const count = Math.floor(next() * 12);
      for (let i = 0; i < count; i++) sshKeys[entry()] = `key-${seed}-${i}`;
      for (let i = 0; i < 40; i++) {
        const written = url();
        const expected = oracleKeyFor(written, sshKeys);
        const found = sshKeyFor(written, sshKeys);
        if (found !== expected)
          mismatches.push(
            `seed ${seed}: ${written} in ${Object.keys(sshKeys)}: ${found}, not ${expected}`,
          );
        if (expected !== undefined) opened++;
        // More than one entry opens it: the longest must be chosen.
        const key = gitKey(written);
        if (key && Object.keys(sshKeys).filter((p) => opens(normalizeKeyPrefix(p), key)).length > 1)
          chosen++;
      }
    }
    expect(mismatches).toEqual([]);
    // The cases are not all misses: many URLs meet an entry, many more than one.
    expect(opened).toBeGreaterThan(3500);
    expect(chosen).toBeGreaterThan(1000);
  });

  it('give the entries that open no repository the plain rule gives', () => {
    let unused = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const { next, url, entry } = generator(seed);
      const sshKeys: Record<string, string> = {};
      for (let i = Math.floor(next() * 12); i > 0; i--) sshKeys[entry()] = 'SHA256:…';
      const keys = Array.from({ length: Math.floor(next() * 10) }, url).flatMap(
        (written) => gitKey(written) ?? [],
      );
      const expected = oracleUnused(sshKeys, keys);
      expect(
        unusedSshKeys(sshKeys, keys).map((found) => found.written),
        `seed ${seed}: ${Object.keys(sshKeys)} for ${keys}`,
      ).toEqual(expected);
      unused += expected.length;
    }
    expect(unused).toBeGreaterThan(100);
    expect(unused).toBeLessThan(300 * 6);
  });

  it('take the longest entry, and the first written of entries that match alike', () => {
    const sshKeys = {
      'github.com': 'host',
      'github.com/acme/': 'owner',
      'github.com/acme': 'owner, written again',
      'github.com/acme/api.git': 'repository',
      'github.com/Acme/web': 'other case',
    };
    expect(sshKeyFor('git@github.com:acme/api.git', sshKeys)).toBe('repository');
    expect(sshKeyFor('https://github.com/acme/web', sshKeys)).toBe('owner');
    expect(sshKeyFor('github.com/acme-corp/web.git', sshKeys)).toBe('host');
    expect(sshKeyFor('github.com/Acme/web.git', sshKeys)).toBe('other case');
    expect(sshKeyFor('GitHub.com/acme/api.git', sshKeys)).toBeUndefined();
    expect(sshKeyFor('file:///srv/git/acme/api.git', sshKeys)).toBeUndefined();
    expect(unusedSshKeys(sshKeys, ['github.com/acme/web']).map((found) => found.written)).toEqual([
      'github.com/acme/api.git',
      'github.com/Acme/web',
    ]);
  });

  it('answer as fast with thousands of entries as with one', () => {
    const keys = Array.from({ length: 3000 }, (_, i) => `github.com/Owner-${i}/repo-${i}`);
    const many = Object.fromEntries(keys.map((key, i) => [key, `key-${i}`]));
    const one = { 'github.com': 'key' };
    const urls = keys.map((key) => `${key}.git`);
    const time = (sshKeys: Record<string, string>) => {
      sshKeyFor(urls[0]!, sshKeys);
      const start = performance.now();
      const found = urls.filter((url) => sshKeyFor(url, sshKeys) !== undefined);
      const unused = unusedSshKeys(sshKeys, keys);
      const elapsed = performance.now() - start;
      expect([found.length, unused.length]).toEqual([urls.length, 0]);
      return elapsed;
    };
    // Every entry against every URL would be 9,000,000 comparisons: hundreds of milliseconds.
    // An index makes it a few look-ups per URL, whatever the number of entries.
    const best = (sshKeys: Record<string, string>) =>
      Math.min(...Array.from({ length: 5 }, () => time(sshKeys)));
    expect(best(many)).toBeLessThan(best(one) * 5 + 20);
  });
});
