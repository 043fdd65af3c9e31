// Modules of plain data are read without running them (src/modules/plain-module.ts). Whatever
// that reader accepts must read exactly as the realm runs it: the same exports, in the same order,
// the same inputs recorded, and no module the realm refuses. Each accepted module here is also run
// in a realm that runs everything (sucrase, V8, the realm's snapshot), and the two are compared;
// and every path of its values (and a few that are not there) is located from the reading as the
// outline (outline.ts, itself held to TypeScript, and what locates every other module) locates it.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFleet } from '../../bench/fleet.mjs';
import type { PathSegment } from '../../src/diagnostics.ts';
import { Outline } from '../../src/modules/outline.ts';
import { positionInRead, readPlainModule } from '../../src/modules/plain-module.ts';
import { SettingsRealm } from '../../src/modules/realm.ts';
import { REPO_ROOT, carbon } from '../helpers/cli.ts';
import { random } from '../helpers/random.ts';
import { makeWorkspace } from '../helpers/workspace.ts';

/** Writes modules into a workspace and evaluates each both ways. */
class BothWays {
  private readonly root = makeWorkspace({});
  private readonly running = this.realm(false);
  private readonly reading = this.realm(true);
  private written = 0;

  private realm(readsPlainModules: boolean): SettingsRealm {
    return new SettingsRealm({
      root: this.root,
      env: {},
      timeoutMs: 5_000,
      memoryMb: 64,
      readsPlainModules,
    });
  }

  /** The plain reading of `text`, checked against the realm; undefined when the reader declines. */
  async read(text: string): Promise<Record<string, unknown> | undefined> {
    const file = join(this.root, `module${this.written++}.ts`);
    writeFileSync(file, text);
    const plain = readPlainModule(text);
    if (plain === undefined) return undefined;
    const ran = await this.running.evaluate(file);
    // toStrictEqual tells -0 from 0 and a missing key from an undefined one; JSON tells the order.
    expect(ran.evaluation, text).toStrictEqual({
      exports: plain,
      problems: [],
      console: [],
      exportsConstFixes: [],
    });
    expect(JSON.stringify(plain), text).toBe(JSON.stringify(ran.evaluation.exports));
    expect(await this.reading.evaluate(file), text).toStrictEqual(ran);
    expectLocatedAsTheOutline(text, plain);
    return plain;
  }
}

/** Every path of every export, and paths that are not there, located as the outline does. */
function expectLocatedAsTheOutline(text: string, exports: Record<string, unknown>): void {
  const outline = Outline.of(text);
  const paths: [string, PathSegment[]][] = [['missing', []]];
  const walk = (name: string, value: unknown, path: PathSegment[]) => {
    // Also keys and indexes most modules have somewhere: a scalar export must not lead into them.
    paths.push(
      [name, path],
      [name, [...path, 'missing']],
      [name, [...path, 99]],
      [name, [...path, 'id']],
      [name, [...path, 0]],
    );
    if (Array.isArray(value)) value.forEach((item, index) => walk(name, item, [...path, index]));
    else if (typeof value === 'object' && value !== null)
      for (const [key, item] of Object.entries(value)) walk(name, item, [...path, key]);
  };
  for (const [name, value] of Object.entries(exports)) walk(name, value, []);
  for (const [name, path] of paths) {
    // From the offsets the reading kept; an export the module does not have is the outline's.
    expect(
      positionInRead(text, exports, name, path),
      `${name} ${path.join('.')} in ${text}`,
    ).toEqual(Object.hasOwn(exports, name) ? outline.locate(name, path) : undefined);
  }
}

const IMPORT = "import { defineProject } from 'carbon';\n";

describe('modules read without running them', () => {
  it('reads every module of the bench fleet, with and without warnings, as the realm runs it', async () => {
    const both = new BothWays();
    for (const warnings of [false, true]) {
      const root = makeWorkspace({});
      writeFleet(root, 12, { warnings });
      const modules = readdirSync(join(root, 'projects')).map((name) => join('projects', name));
      for (const path of ['carbon.config.ts', ...modules]) {
        const read = await both.read(readFileSync(join(root, path), 'utf8'));
        expect(read, path).toBeDefined();
      }
    }
  });

  it('reads the sample project and its workspace settings as the realm runs them', async () => {
    const both = new BothWays();
    const sample = await both.read(readFileSync(join(REPO_ROOT, 'projects', 'taxaroo.ts'), 'utf8'));
    expect(Object.keys(sample ?? {})).toEqual(['taxaroo']);
    expect(
      await both.read(readFileSync(join(REPO_ROOT, 'carbon.config.ts'), 'utf8')),
    ).toBeDefined();
  });

  it('reads what `carbon init` and `carbon new` write as the realm runs it', async () => {
    const root = makeWorkspace({});
    expect((await carbon(['init'], { cwd: root })).code).toBe(0);
    const created = await carbon(
      ['new', 'acme', 'github.com/a/acme-web.git', 'github.com/a/acme-carbon.git'],
      { cwd: root },
    );
    expect(created.code, created.stderr).toBe(0);
    const both = new BothWays();
    for (const path of ['carbon.config.ts', 'projects/acme.ts'])
      expect(await both.read(readFileSync(join(root, path), 'utf8')), path).toBeDefined();
  });

  it.each([
    ['no import', "export const a = { id: 'a' };"],
    ['a default export', "export default { aws: { accountId: '1' } }"],
    ['import type', "import type { ProjectSettings } from 'carbon';\nexport const a = {}"],
    [
      'mixed specifiers, double quotes',
      'import { defineConfig, type CarbonConfig, defineProject, env } from "@blackstone/carbon"\nexport default defineConfig({})',
    ],
    [
      'a key written twice: its first place, its last value',
      'export const a = { x: 1, y: 2, x: 3 }',
    ],
    [
      'integer-like keys, which JavaScript puts first',
      "export const a = { b: 1, '10': 2, '2': 3 }",
    ],
    ['reserved words as keys', 'export const a = { default: 1, class: 2, null: 3, true: 4 }'],
    ['-0, read as the JSON snapshot reads it', 'export const a = [-0, 0, -1.5e3, 1e21, 0.000001]'],
    [
      'escapes',
      String.raw`export const a = ['\n\r\t\b\f\v', "\'\"\\", '\u00e9\uD83D\uDE00', '\uDEAD']`,
    ],
    ['raw line separators and emoji in strings', "export const a = ['a\u2028b\u2029c', '😀']"],
    [
      'comments and line breaks everywhere',
      `${IMPORT}/* a */ export /* b */ const // c\r\n a = // d\n defineProject( /* e\n */ { // f\n x: [ 1 , /* g */ ] , } , ) // h\n;;`,
    ],
    ['constants named later', "const b = 'x'; const n = 2\nexport const a = { c: b, n: [n, n] }"],
    [
      'statements ended by line breaks',
      "export const a = 1\nexport const b = 'b'\nexport default [true, false, null]",
    ],
    ['nesting far from any limit', `export const a = ${'['.repeat(30)}${']'.repeat(30)}`],
  ])('%s: read as the realm runs it', async (_name, text) => {
    expect(await new BothWays().read(text)).toBeDefined();
  });

  it.each([
    ['a spread', 'const base = { a: 1 }; export const a = { ...base }'],
    ['a template literal', 'export const a = { b: `x` }'],
    [
      'a type annotation',
      "import type { ProjectSettings } from 'carbon'\nexport const a: ProjectSettings = {}",
    ],
    ['`as const`', 'export const a = { b: 1 } as const'],
    ['`satisfies`', 'export const a = { b: 1 } satisfies object'],
    ['a call of a helper', "import { helper } from './_shared'\nexport const a = helper()"],
    ['env()', "import { env } from 'carbon'\nexport const a = { b: env('B') }"],
    ['a name carbon does not export', "import { defineProjet } from 'carbon'\nexport const a = {}"],
    [
      'a renamed import',
      "import { defineProject as project } from 'carbon'\nexport const a = project({})",
    ],
    ['a helper used before it is imported', `export const a = defineProject({})\n${IMPORT}`],
    ['a helper not imported', 'export const a = defineProject({})'],
    ['two arguments', `${IMPORT}export const a = defineProject({}, 1)`],
    ['no argument', `${IMPORT}export const a = defineProject()`],
    ['`exports const` (reported by the realm)', 'exports const a = {}'],
    ['hexadecimal', 'export const a = 0x10'],
    ['a numeric separator', 'export const a = 1_000'],
    ['a leading dot', 'export const a = .5'],
    ['a trailing dot', 'export const a = 5.'],
    ['a leading zero', 'export const a = 010'],
    ['a bigint', 'export const a = 1n'],
    ['a number too large', 'export const a = 1e999'],
    ['\\x escapes', String.raw`export const a = '\x41'`],
    ['\\0', String.raw`export const a = '\0'`],
    ['\\u{...}', String.raw`export const a = '\u{41}'`],
    ['a line continuation', "export const a = 'a\\\nb'"],
    ['a line break in a string', "export const a = 'a\nb'"],
    ['an unterminated string', "export const a = 'a"],
    ['__proto__ as a key', 'export const a = { __proto__: { b: 1 } }'],
    ["'__proto__' as a key", "export const a = { '__proto__': { b: 1 } }"],
    ['a computed key', "export const a = { ['b']: 1 }"],
    ['a numeric key', 'export const a = { 1: 1 }'],
    ['a method', 'export const a = { b() {} }'],
    ['undefined', 'export const a = { b: undefined }'],
    ['a hole', 'export const a = [1, , 2]'],
    ['an object named twice', 'const b = { c: 1 }\nexport const a = [b, b]'],
    ['a constant named before it is declared', "export const a = [b]\nconst b = 'b'"],
    ['a constant declared twice', 'const a = 1\nconst a = 2'],
    ['a reserved word as a name', 'export const class = 1'],
    ["the module wrapper's parameter as a name", 'export const exports = 1'],
    ['two declarators', 'export const a = 1, b = 2'],
    ['two statements on a line', 'export const a = 1 export const b = 2'],
    ['a second default export', 'export default 1\nexport default 2'],
    ['an export list', 'const a = 1\nexport { a }'],
    ['let', 'export let a = 1'],
    ['a directive', "'use strict'\nexport const a = 1"],
    ['a byte order mark', '\ufeffexport const a = 1'],
    ['a hashbang', '#!/usr/bin/env node\nexport const a = 1'],
    ['a non-breaking space', 'export const a =\u00a01'],
    ['a line separator ending a // comment', 'export const a = 1 // x\u2028export const b = 2'],
    ['an unterminated comment', 'export const a = 1 /* x'],
    ['a letter beyond ASCII in a name', 'export const café = 1'],
    ['nesting near the limit', `export const a = ${'['.repeat(40)}${']'.repeat(40)}`],
    [
      'a constant named Object, which CommonJS output uses',
      'const Object = 1\nexport default [Object]',
    ],
    ['an export named __esModule', 'export const __esModule = 1'],
    ['the key the realm reserves', 'export default { "\\u0000carbon": 1 }'],
    [
      'an `exports` line in a comment, which the realm reports',
      '/*\nexports const x = 1\n*/\nexport const a = 1',
    ],
    [
      'an import attribute',
      "import { defineProject } from 'carbon' with { type: 'x' }\nexport const a = {}",
    ],
  ])('declines %s, which runs in the realm instead', async (_name, text) => {
    expect(readPlainModule(text)).toBeUndefined();
  });

  it('reads 2,000 random modules as the realm runs them, or declines them', async () => {
    const both = new BothWays();
    const next = random(2026);
    let read = 0;
    let declined = 0;
    for (let index = 0; index < 2_000; index++) {
      const text = mutate(randomModule(next), next);
      if ((await both.read(text)) === undefined) declined++;
      else read++;
    }
    // Both sides are exercised: hundreds of modules are read, and hundreds declined.
    expect(read).toBeGreaterThan(500);
    expect(declined).toBeGreaterThan(500);
  });
});

/** A module of random literals, mostly in forms the reader knows, now and then in one it does not. */
function randomModule(next: () => number): string {
  const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)]!;
  /** Mostly one of `usual`, one time in `odds` one of `rare`. */
  const mostly = <T>(usual: T[], rare: T[], odds = 40): T =>
    next() * odds < 1 ? pick(rare) : pick(usual);
  const gap = () =>
    mostly(['', ' ', ' ', '\n  ', '\r\n', ' /* } */ ', ' // ]\n', '\t'], ['\u00a0', '\v']);
  const constants: string[] = [];
  const key = () =>
    mostly(
      ['id', 'name', "'with space'", '"q"', 'default', "'10'", "'2'", '$x', '_y'],
      ['1', '[k]', 'é'],
    );
  const scalar = () =>
    mostly(
      [
        "'text'",
        '"double"',
        String.raw`'esc\n\t\'\\'`,
        String.raw`"\u00e9\"\u2028"`,
        '0',
        '-0',
        '42',
        '-1.5',
        '2e-3',
        '1E+21',
        'true',
        'false',
        'null',
        ...constants,
      ],
      [String.raw`'\x41'`, '`tpl`', '0x1F', '1_0', '.5', 'undefined', 'missing'],
    );
  const value = (depth: number): string => {
    if (depth > 3 || next() < 0.35) return scalar();
    const count = Math.floor(next() * 4);
    const trailing = count > 0 ? pick(['', ',', `,${gap()}`]) : '';
    if (next() < 0.6) {
      const parts = Array.from(
        { length: count },
        () => `${gap()}${key()}${gap()}:${gap()}${value(depth + 1)}`,
      );
      return `{${parts.join(',')}${trailing}${gap()}}`;
    }
    const items = Array.from({ length: count }, () => `${gap()}${value(depth + 1)}`);
    return `[${items.join(',')}${trailing}${gap()}]`;
  };
  const end = () => mostly([';', ';\n', '\n', '\n\n'], [' ', '']);
  const lines = [
    mostly(
      [
        "import { defineProject, defineConfig } from 'carbon'\n",
        'import { defineConfig, type CarbonConfig, defineProject } from "carbon";\n',
      ],
      [
        IMPORT,
        '',
        "import type { ProjectSettings } from 'carbon';\n",
        "import { defineProject, defineConfig } from './_lib';\n",
      ],
      10,
    ),
  ];
  const count = 1 + Math.floor(next() * 3);
  for (let index = 0; index < count; index++) {
    if (next() < 0.3) {
      lines.push(`const c${index} = ${scalar()}${end()}`);
      constants.push(`c${index}`);
    }
    const body = value(0);
    lines.push(
      pick([
        `export const e${index} = ${body}${end()}`,
        `export const e${index} = defineProject(${gap()}${body}${gap()})${end()}`,
        `export const e${index} = defineConfig(${body},)${end()}`,
        `export default ${body}${end()}`,
      ]),
    );
  }
  return lines.join('');
}

/** Sometimes one to three random edits: a character dropped, doubled or put in. */
function mutate(text: string, next: () => number): string {
  if (next() < 0.6) return text;
  let result = text;
  const edits = 1 + Math.floor(next() * 3);
  for (let edit = 0; edit < edits; edit++) {
    const at = Math.floor(next() * result.length);
    const kind = next();
    if (kind < 0.33) result = result.slice(0, at) + result.slice(at + 1);
    else if (kind < 0.66) result = result.slice(0, at) + result[at] + result.slice(at);
    else {
      const inserted = [
        ',',
        '}',
        ']',
        '{',
        "'",
        '"',
        '\\',
        '\n',
        '/',
        '*',
        '-',
        ':',
        ';',
        ' ',
        'a',
        '0',
        '.',
        '(',
        ')',
      ];
      result =
        result.slice(0, at) + inserted[Math.floor(next() * inserted.length)]! + result.slice(at);
    }
  }
  return result;
}
