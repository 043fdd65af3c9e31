// The orb: pack semantics, the packed templates against the official schema and the orb's own
// references, and the orb-tools review rules that need no network, each shown to pass here and
// to fail on a broken copy.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileSettings } from '../../src/compile/resolved-settings.ts';
import { packOrb } from '../../src/emit/orb.ts';
import { ORB_TEMPLATES } from '../../src/paths.ts';
import { SCHEMA } from '../helpers/schema.ts';
import { REVIEW_RULES } from '../../src/validate/review.ts';
import { validateAgainstSchema } from '../../src/validate/schema.ts';
import { checkOrb } from '../../src/validate/semantics.ts';
import { REPO_ROOT } from '../helpers/cli.ts';
import { makeWorkspace } from '../helpers/workspace.ts';

describe('packOrb', () => {
  it('merges @orb.yml at the root, makes each folder a key and each file a component, and inlines scripts', () => {
    const folder = makeWorkspace({
      '@orb.yml': 'version: 2.1\ndescription: d\n',
      'commands/greet.yml':
        'description: g\nsteps:\n  - run:\n      name: Greet\n      command: <<include(scripts/greet.sh)>>\n',
      'jobs/Hello.yml':
        'description: h\nsteps:\n  - greet\n  - run:\n      name: Not an include\n      command: echo "<<include(scripts/greet.sh)>> in text"\n',
      'scripts/greet.sh': '#!/usr/bin/env bash\ncat <<EOF\nhi << there\nEOF\n',
      'README.md': 'not a component\n',
    });
    expect(packOrb(folder)).toEqual({
      version: 2.1,
      description: 'd',
      commands: {
        greet: {
          description: 'g',
          steps: [
            {
              run: {
                name: 'Greet',
                command: '#!/usr/bin/env bash\ncat \\<<EOF\nhi \\<< there\nEOF\n',
              },
            },
          ],
        },
      },
      jobs: {
        Hello: {
          description: 'h',
          steps: [
            'greet',
            {
              run: {
                name: 'Not an include',
                command: 'echo "<<include(scripts/greet.sh)>> in text"',
              },
            },
          ],
        },
      },
    });
  });

  it('packs templates/orb into an orb the CircleCI schema accepts, with every reference declared', () => {
    const orb = packOrb(ORB_TEMPLATES);
    expect(validateAgainstSchema(SCHEMA, orb)).toEqual([]);
    expect(checkOrb(orb)).toEqual([]);
    expect(Object.keys(orb['jobs'] as object).sort()).toEqual([
      'CarbonBuild',
      'CarbonCascade',
      'CarbonSync',
    ]);
  });

  it('has every script of templates/orb/scripts included somewhere, and nothing left to include', () => {
    const text = JSON.stringify(packOrb(ORB_TEMPLATES));
    expect(text).not.toContain('<<include(');
    expect(text).toContain('set -euo pipefail');
  });

  it('is committed as orb.yml, exactly as packed, its examples at the configured version', async () => {
    const committed = parse(readFileSync(join(REPO_ROOT, 'orb.yml'), 'utf8'));
    const { jobs, commands, executors } = packOrb(ORB_TEMPLATES);
    expect(committed).toMatchObject({ jobs, commands, executors });
    const { workspace } = await compileSettings(REPO_ROOT);
    const version = workspace!.config.orb.version;
    const examples = Object.values(committed.examples) as { usage: { orbs: object } }[];
    expect(examples.length).toBeGreaterThan(1);
    for (const example of examples)
      expect(example.usage.orbs).toEqual({ carbon: `blackstone/carbon@${version}` });
  });

  it('catches an undeclared << parameters.x >> and an unknown command', () => {
    const orb = packOrb(ORB_TEMPLATES) as {
      commands: Record<string, { steps: unknown[] }>;
      jobs: Record<string, { steps: unknown[] }>;
    };
    orb.commands['clone']!.steps.push({
      run: { name: 'x', command: 'echo << parameters.nope >>' },
    });
    orb.jobs['CarbonSync']!.steps.push('clone_everything');
    expect(checkOrb(orb as never).map((p) => p.message)).toEqual([
      expect.stringContaining(
        '"clone_everything" is neither a built-in step nor a command of the orb',
      ),
      '<< parameters.nope >> is not a parameter of command clone',
    ]);
  });
});

describe('orb-tools review rules', () => {
  const copies: string[] = [];
  afterEach(() => {
    for (const dir of copies.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  function brokenCopy(edit: (folder: string) => void): string {
    const folder = mkdtempSync(join(tmpdir(), 'carbon-orb-'));
    copies.push(folder);
    cpSync(ORB_TEMPLATES, folder, { recursive: true });
    edit(folder);
    return folder;
  }
  const rewrite = (folder: string, file: string, change: (text: string) => string) =>
    writeFileSync(join(folder, file), change(readFileSync(join(folder, file), 'utf8')));

  const breakers: Record<string, (folder: string) => void> = {
    RC001: (f) => rewrite(f, '@orb.yml', (t) => t.replace(/  source_url:.*\n/, '')),
    RC002: (f) =>
      rewrite(f, 'commands/clone.yml', (t) => t.replace(/^description: >\n(  .*\n)+/m, '')),
    RC003: (f) => rmSync(join(f, 'examples'), { recursive: true }),
    RC004: (f) =>
      writeFileSync(join(f, 'examples', 'example_one.yml'), 'description: an example\nusage: {}\n'),
    RC005: (f) =>
      rewrite(f, '@orb.yml', (t) =>
        t.replace(/^description: >\n(  .*\n)+/m, 'description: Short.\n'),
      ),
    RC008: (f) => rewrite(f, 'commands/clone.yml', (t) => t.replace(/      name: .*\n/, '')),
    RC009: (f) =>
      rewrite(f, 'commands/clone.yml', (t) =>
        t.replace(/command: <<include\(scripts\/clone.sh\)>>/, `command: echo "${'x'.repeat(70)}"`),
      ),
    RC010: (f) =>
      rewrite(f, 'commands/clone.yml', (t) =>
        t.replace('  ssh_key_fingerprint:', '  ssh-key-fingerprint:'),
      ),
    RC012: (f) =>
      rewrite(f, 'executors/base.yml', (t) =>
        t
          .replace(/default: ['"]2026\.09['"]/, 'default: $BASE_TAG')
          .replace(
            'docker:\n  - image:',
            'docker:\n  - auth:\n      key: << parameters.tag >>\n    image:',
          ),
      ),
  };

  it('covers RC001-RC005, RC008-RC010 and RC012', () => {
    expect(REVIEW_RULES.map((rule) => rule.id)).toEqual(Object.keys(breakers));
  });

  describe.each(REVIEW_RULES)('$id: $title', (rule) => {
    it('passes on templates/orb', () => {
      expect(rule.check(ORB_TEMPLATES)).toEqual([]);
    });
    it('fails on a copy that breaks it', () => {
      expect(rule.check(brokenCopy(breakers[rule.id]!))).not.toEqual([]);
    });
  });
});
