// The orb's version record: orb-versions.yml lists every version generate has packed, with the
// SHA-256 of its content. A published orb version never changes, so packing different content
// under a recorded version is refused, whatever happened to orb.yml (deleted, or packed for another
// version), and whatever carbon.config.ts says now (a dropped `version` falls back to 1.0.0, which
// may have been published long ago). The file is committed with the generated files.
import { hashOfText } from '../hash.ts';
import { GENERATED_TEXT, isCarbons } from './layout.ts';
import type { RenderedFile } from './files.ts';

export const VERSIONS_FILE = 'orb-versions.yml';

export interface VersionRecord {
  /** The record to write, with this version in it. */
  file: RenderedFile;
  /** Set when the version was recorded with other content: exit 2, nothing written. */
  conflict?: string;
  /** Whether the version was recorded before, with this very content. */
  known: boolean;
}

/** The content of an orb file that its version stands for: everything below the header. */
export function orbContent(text: string): string {
  return text.replace(/^(?:#.*\n|\n)*/, '');
}

/** `current`: the text of orb-versions.yml as it is on disk (undefined: there is none). */
export function recordVersion(
  current: string | undefined,
  orbName: string,
  version: string,
  orbText: string,
): VersionRecord {
  const recorded = readRecord(current);
  const digest = orbDigest(orbText);
  const known = recorded.get(version);
  const versions = new Map(recorded);
  versions.set(version, digest);
  const record: VersionRecord = {
    file: { path: VERSIONS_FILE, text: render(versions) },
    known: known === digest,
  };
  if (known !== undefined && known !== digest) {
    const next = nextVersions(version, [...recorded.keys()]);
    record.conflict =
      `${orbName}@${version} is recorded in ${VERSIONS_FILE} with other content (${known.slice(0, 19)}…): ` +
      `published orb versions are immutable, so set orb.version in carbon.config.ts to a version not ` +
      `recorded yet (${next.fix} for a fix, ${next.feature} for a feature, ${next.major} for a breaking ` +
      'change) and run generate again';
  }
  return record;
}

/** The versions orb-versions.yml records, each with the digest of its content. */
export function readRecord(text: string | undefined): Map<string, string> {
  const versions = new Map<string, string>();
  // A file that is not Carbon's is reported by output planning; its lines are not trusted.
  if (text === undefined || !isCarbons(text)) return versions;
  for (const match of text.matchAll(/^ {2}'?(\d+\.\d+\.\d+)'?: (sha256:[0-9a-f]{64})$/gm))
    versions.set(match[1]!, match[2]!);
  return versions;
}

/** What orb-versions.yml records of an orb file: the SHA-256 of its content. */
export function orbDigest(orbText: string): string {
  return `sha256:${hashOfText(orbContent(orbText))}`;
}

function render(versions: Map<string, string>): string {
  const lines = [...versions.entries()]
    .sort(([a], [b]) => compare(a, b))
    .map(([version, digest]) => `  ${version}: ${digest}`);
  return [
    `# ${GENERATED_TEXT}`,
    '# Every orb version generate has packed, with the SHA-256 of its content (orb.yml below its',
    '# header). A published orb version never changes: generate refuses other content under a',
    '# version recorded here. Commit this file with orb.yml.',
    '',
    'versions:',
    ...lines,
    '',
  ].join('\n');
}

function parts(version: string): [number, number, number] {
  return version.split('.').map(Number) as [number, number, number];
}

function compare(a: string, b: string): number {
  const [x, y] = [parts(a), parts(b)];
  return x[0] - y[0] || x[1] - y[1] || x[2] - y[2];
}

/** The highest of MAJOR.MINOR.PATCH versions. */
export function highestVersion(versions: string[]): string | undefined {
  return [...versions].sort(compare).at(-1);
}

/** The next versions not recorded yet, above `version` and the highest one recorded. */
export function nextVersions(
  version: string,
  recorded: string[],
): { fix: string; feature: string; major: string } {
  const [major, minor, patch] = parts(highestVersion([...recorded, version])!);
  return {
    fix: `${major}.${minor}.${patch + 1}`,
    feature: `${major}.${minor + 1}.0`,
    major: `${major + 1}.0.0`,
  };
}
