// The README's examples are Carbon's output: blocks of README.md marked with a comment are
// compared with what the tests ran, and `UPDATE_README=1` writes them again from it (one README
// test file at a time: each rewrites the whole file).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { REPO_ROOT } from './cli.ts';

export const README = join(REPO_ROOT, 'README.md');

/**
 * Each block `block` matches in the README (groups: the head with the block's name second, the
 * body, the tail) must be `shown[name]`, and every name must have a block.
 */
export function expectReadmeBlocks(block: RegExp, shown: Record<string, string>): void {
  const text = readFileSync(README, 'utf8');
  const found = [...text.matchAll(block)].map((match) => match[2]!);
  expect(found.sort()).toEqual(Object.keys(shown).sort());
  const expected = text.replace(
    block,
    (_, head: string, name: string, _body, tail: string) => `${head}${shown[name]}${tail}`,
  );
  if (process.env['UPDATE_README'] === '1') writeFileSync(README, expected);
  expect(text).toBe(expected);
}
