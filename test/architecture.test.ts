// docs/ARCHITECTURE.md is a map: it must name only what exists, and every folder of src/, so that
// a file moved or a folder added without the map fails here instead of misleading a newcomer.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/cli.ts';

const MAP = readFileSync(join(REPO_ROOT, 'docs/ARCHITECTURE.md'), 'utf8');
/** Every `path` the map names under one of the repository's top folders. */
const PATHS = [...MAP.matchAll(/`((?:src|test|templates|bench|bin|docs)\/[^`\s]*)`/g)].map(
  (match) => match[1]!,
);

describe('docs/ARCHITECTURE.md', () => {
  it('names only paths that exist', () => {
    expect(PATHS.length).toBeGreaterThan(20);
    expect(PATHS.filter((path) => !existsSync(join(REPO_ROOT, path)))).toEqual([]);
  });

  it('maps every folder of src/', () => {
    const folders = readdirSync(join(REPO_ROOT, 'src'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `src/${entry.name}/`);
    expect(folders.filter((folder) => !MAP.includes(`\`${folder}\``))).toEqual([]);
  });

  it('is linked from the README', () => {
    expect(readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')).toContain('(docs/ARCHITECTURE.md)');
  });
});
