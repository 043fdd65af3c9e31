// Generated files are text prettier accepts as it is, without Carbon ever running prettier.
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { check, resolveConfig } from 'prettier';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/cli.ts';

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(folder, entry.name)) : [join(folder, entry.name)],
  );
}

describe('prettier --check', () => {
  const files = [join(REPO_ROOT, 'orb.yml'), ...filesUnder(join(REPO_ROOT, 'generated'))];

  it('covers the orb and every generated file', () => {
    expect(files.length).toBe(9);
  });

  it.each(files.map((file) => [relative(REPO_ROOT, file), file]))(
    'accepts %s as it is',
    async (_name, file) => {
      const options = await resolveConfig(file);
      expect(await check(readFileSync(file, 'utf8'), { ...options, filepath: file })).toBe(true);
    },
  );
});
