// The table of diagnostic codes is the whole list: every code in it is one Carbon reports, and the
// codes the README shows are in it (the type of a diagnostic's code holds the sources to it).
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES } from '../src/diagnostic-codes.ts';
import { REPO_ROOT } from './helpers/cli.ts';

const codes = Object.keys(DIAGNOSTIC_CODES);

describe('diagnostic codes', () => {
  it('lists only codes some stage reports', () => {
    const source = readdirSync(join(REPO_ROOT, 'src'), { recursive: true, encoding: 'utf8' })
      .filter((path) => path.endsWith('.ts') && path !== 'diagnostic-codes.ts')
      .map((path) => readFileSync(join(REPO_ROOT, 'src', path), 'utf8'))
      .join('\n');
    const reported = (code: string) =>
      source.includes(`'${code}'`) || source.includes(`error ${code}:`);
    expect(codes.filter((code) => !reported(code))).toEqual([]);
  });

  it('has every code the README shows', () => {
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const shown = [...readme.matchAll(/ - (?:error|warning) ([a-z0-9-]+):/g)].map((m) => m[1]!);
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.filter((code) => !codes.includes(code))).toEqual([]);
  });

  it('says what each means on one line', () => {
    for (const [code, doc] of Object.entries(DIAGNOSTIC_CODES)) {
      expect(code).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)+$/);
      expect(doc, code).toMatch(/^[A-Za-z`'"].*\.$/);
    }
  });
});
