// The outline (src/modules/outline.ts) locates settings paths from sucrase's tokens. TypeScript's
// own parser is the reference: every property and element reachable from an export, as
// TypeScript's syntax tree has it, must be located where TypeScript puts it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import type { PathSegment, Position } from '../../src/diagnostics.ts';
import { Outline } from '../../src/modules/outline.ts';
import { REPO_ROOT } from '../helpers/cli.ts';
import { random } from '../helpers/random.ts';
import { writeFleet } from '../../bench/fleet.mjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';

/** Every path below each export of `text`, with where TypeScript says it is written. */
function referencePositions(
  text: string,
): { exportName: string; path: PathSegment[]; at: Position }[] {
  const source = ts.createSourceFile('settings.ts', text, ts.ScriptTarget.Latest, true);
  const found: { exportName: string; path: PathSegment[]; at: Position }[] = [];
  const at = (node: ts.Node): Position => {
    const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
    return { line: line + 1, column: character + 1 };
  };
  const unwrap = (node: ts.Expression): ts.Expression => {
    for (;;) {
      if (
        ts.isParenthesizedExpression(node) ||
        ts.isAsExpression(node) ||
        ts.isSatisfiesExpression(node) ||
        ts.isNonNullExpression(node) ||
        ts.isTypeAssertionExpression(node)
      )
        node = node.expression;
      else if (
        ts.isCallExpression(node) &&
        /^(?:\w+\.)?define(?:Project|Config)$/.test(node.expression.getText(source)) &&
        node.arguments[0]
      )
        node = node.arguments[0];
      else return node;
    }
  };
  const walk = (exportName: string, path: PathSegment[], value: ts.Expression) => {
    const node = unwrap(value);
    if (ts.isObjectLiteralExpression(node)) {
      // The last property of a name is the one whose value counts.
      const last = new Map<string, ts.PropertyAssignment>();
      for (const property of node.properties) {
        if (!ts.isPropertyAssignment(property)) continue;
        const name = property.name;
        if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name))
          last.set(name.text, property);
        else if (ts.isComputedPropertyName(name) && ts.isStringLiteral(name.expression))
          last.set(name.expression.text, property);
      }
      for (const [name, property] of last) {
        found.push({ exportName, path: [...path, name], at: at(property.name) });
        walk(exportName, [...path, name], property.initializer);
      }
    } else if (ts.isArrayLiteralExpression(node)) {
      for (const [index, element] of node.elements.entries()) {
        if (ts.isSpreadElement(element) || ts.isOmittedExpression(element)) break;
        found.push({ exportName, path: [...path, index], at: at(element) });
        walk(exportName, [...path, index], element);
      }
    }
  };
  for (const statement of source.statements) {
    if (ts.isExportAssignment(statement)) walk('default', [], statement.expression);
    if (
      ts.isVariableStatement(statement) &&
      statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)
    )
      for (const declaration of statement.declarationList.declarations)
        if (ts.isIdentifier(declaration.name) && declaration.initializer)
          walk(declaration.name.text, [], declaration.initializer);
  }
  return found;
}

function expectSameAsTypeScript(text: string): number {
  // Valid TypeScript only: on broken text TypeScript's recovery is no reference.
  const syntax = ts.transpileModule(text, { reportDiagnostics: true }).diagnostics ?? [];
  expect(
    syntax.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')),
    text,
  ).toEqual([]);
  const outline = Outline.of(text);
  const reference = referencePositions(text);
  for (const { exportName, path, at } of reference)
    expect(outline!.locate(exportName, path), `${exportName} ${path.join('.')}`).toEqual(at);
  return reference.length;
}

const TRICKY = `// A comment with { braces } and [brackets] and a "quote
import { defineProject } from 'carbon';
/* another { comment */
const pattern = /[{}]/g;
export const acme = defineProject({
  id: 'acme', // } a brace in a comment
  "name": \`Acme \${ { nested: '}' }.nested } Inc\`,
  'quoted key': "a string with } and ]",
  repositories: [
    { id: 'Api', name: 'Api' as const, local: { git: 'git@github.com:acme/api.git' } },
    ({ id: 'App', local: { git: ('git@github.com:acme/app.git') } }) satisfies object,
    <{ id: string }>{ id: 'Cast', local: { git: 'x' } },
    { id: 'Bang', local: { git: 'y' }! },
  ],
  regex: /}{]/.source,
  duplicate: 1,
  duplicate: [ 'second', { deep: true } ],
  method() { return { not: 'data' }; },
  get getter() { return 1; },
  arrow: () => ({ inside: 1 }),
  nested: { a: { b: { c: [ [ 1, 2 ], [ 3, { d: 4 } ] ] } } },
  default: 'a keyword as a name',
  42: 'a number as a name',
});

export default { id: 'other', repositories: [ { id: 'X' } ] } satisfies { id: string };
export const withoutSemicolons = { a: 1 }
export const typed: { a: number } = { a: 2 }, second = { b: [ 1 ] }
`;

/** What else a TypeScript module may hold around and inside its values. */
const TRICKIER = `import type { Project } from 'carbon';
import * as carbon from 'carbon';
type Shape = { a: string, b: [number, string] };
interface Other { c: Record<string, { d: number }> }
enum Kind { One, Two }
class Helper { method(a: string, b: number): { e: string } { return { e: a + b }; } }
function helper<T extends { f: 1 }>(value: T): T { return value; }
const ratio = 10 / 2 / 5;
export { ratio as renamed };
export const generic: Record<string, Array<{ g: number }>> = {
  'key with \\'quote\\' and \\"escapes\\"': 1,
  ['computed']: { h: [ 1, 2 ] },
  divided: ratio / 2, regexAfterComma: /a,b/.test('a,b') ? [ 'yes' ] : [ 'no' ],
  arrow: (a: Map<string, number>, b?: string): number => a.size,
  call: carbon.defineProject<Project>({ id: 'inner', list: [ 'x' ] }),
  template: \`\${ \`inner \${ [ '}' ] }\` } }\`,
  afterTemplate: [ 1, 2, 3 ],
  optional: helper?.({ f: 1 })?.f ?? [ 'fallback' ],
  comparison: 1 < 2 && 3 > 2 ? { yes: true } : { no: false },
  numbers: [ 1_000, 0x1F, 1.5e-3, 2n, .5 ],
  unicode: { 'ключ': 'значение', emoji: '🙂 {' },
  newline
    :
      [
        // a comment between elements, with a ] in it
        { deep: 'value' } ,
      ],
} as const satisfies Record<string, unknown>;
export let later = { i: { j: [ 'k' ] } }
export var old = ( ( { l: 1 } ) )
`;

describe('the outline of a settings module', () => {
  it('locates every path of tricky modules where TypeScript does', () => {
    expect(expectSameAsTypeScript(TRICKY)).toBeGreaterThan(40);
    expect(expectSameAsTypeScript(TRICKIER)).toBeGreaterThan(30);
  });

  it('locates every path of 300 random modules where TypeScript does', () => {
    const next = random(7);
    let paths = 0;
    for (let module = 0; module < 300; module++)
      paths += expectSameAsTypeScript(randomModule(next));
    expect(paths).toBeGreaterThan(5000);
  });

  it("locates every path of the sample project and of a generated fleet's modules", () => {
    expect(
      expectSameAsTypeScript(readFileSync(join(REPO_ROOT, 'projects/taxaroo.ts'), 'utf8')),
    ).toBeGreaterThan(30);
    const root = mkdtempSync(join(tmpdir(), 'carbon-outline-'));
    try {
      writeFleet(root, 3);
      for (const name of ['client0001', 'client0002', 'client0003'])
        expect(
          expectSameAsTypeScript(readFileSync(join(root, 'projects', `${name}.ts`), 'utf8')),
        ).toBeGreaterThan(50);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('follows the names of same-file consts, shorthand properties and export lists', () => {
    const text = [
      "const api = { id: 'Api', local: { git: 'x' } };", // line 1
      'const repositories = [api];', // line 2
      'const alias = repositories', // line 3
      'export { project as acme };', // line 4
      'const project = { id: "acme", repositories: alias, api };', // line 5
      '',
    ].join('\n');
    const outline = Outline.of(text)!;
    expect(outline.locate('acme', [])).toEqual({ line: 5, column: 7 });
    expect(outline.locate('acme', ['repositories'])).toEqual({ line: 5, column: 31 });
    expect(outline.locate('acme', ['repositories', 0])).toEqual({ line: 2, column: 23 });
    expect(outline.locate('acme', ['repositories', 0, 'local', 'git'])).toEqual({
      line: 1,
      column: 35,
    });
    // A shorthand property points at itself, then follows the const it names.
    expect(outline.locate('acme', ['api'])).toEqual({ line: 5, column: 52 });
    expect(outline.locate('acme', ['api', 'id'])).toEqual({ line: 1, column: 15 });
  });

  it('stops at the deepest part it can follow', () => {
    const text = [
      "import { base } from './_base';",
      "export const acme = { id: 'acme', repositories: [...base, { id: 'Api' }], extra: base.more };",
    ].join('\n');
    const outline = Outline.of(text)!;
    // After a spread, written positions are not indexes: the array's property is the answer.
    expect(outline.locate('acme', ['repositories', 1, 'id'])).toEqual({ line: 2, column: 35 });
    expect(outline.locate('acme', ['extra', 'x'])).toEqual({ line: 2, column: 75 });
    expect(outline.locate('acme', ['missing', 'deeper'])).toEqual({ line: 2, column: 14 });
    // An export that is not there: the top of the file.
    expect(outline.locate('other', ['id'])).toEqual({ line: 1, column: 1 });
  });

  it("reads the seed's `exports const` as the realm does, and points at exported functions", () => {
    const text = "exports const taxaroo = { id: 'taxaroo' };\nexport async function helper() {}\n";
    const outline = Outline.of(text)!;
    expect(outline.locate('taxaroo', ['id'])).toEqual({ line: 1, column: 27 });
    expect(outline.locate('helper', ['id'])).toEqual({ line: 2, column: 23 });
  });

  it('reads broken text without failing: unclosed brackets, strings and comments', () => {
    const broken = [
      'export const acme = { id: ;\n',
      "export const acme = { id: 'open\n",
      'export const acme = { a: [1, 2 /* never closed',
      'export const acme = `${ { a: 1 }',
      '}}}]]) export const acme = { a: 1 }',
    ];
    for (const text of broken) expect(Outline.of(text).locate('acme', ['a', 0])).toBeDefined();
    expect(Outline.of(broken[4]!).locate('acme', ['a'])).toEqual({ line: 1, column: 30 });
  });
});

/** A module of random values, written in the many ways TypeScript allows around them. */
function randomModule(next: () => number): string {
  const pick = <T>(items: T[]): T => items[Math.floor(next() * items.length)]!;
  const gap = () => pick([' ', '', '\n  ', ' /* { [ */ ', ' // } ]\n', '\n\n', '\t']);
  const key = (index: number) =>
    pick([`k${index}`, `'k${index}'`, `"k${index}"`, `['k${index}']`, `k_${index}$`]);
  const scalar = () =>
    pick([
      "'a string, with a comma'",
      '"}]) in a string"',
      '`a template ${1 + 2} with ${ { a: 1 }.a }`',
      '42',
      '/[,}\\]]/g',
      '10 / 2 / 5',
      'true',
      '(a: string): number => a.length',
      'new Date(0)',
      'helper({ x: [1, 2] })',
    ]);
  const value = (depth: number): string => {
    const wrap = (text: string) =>
      pick([
        text,
        text,
        `(${gap()}${text}${gap()})`,
        `${text} as const`,
        `${text} satisfies object`,
        `${text}!`,
        `<unknown>${text}`,
        `${text} as Record<string, { a: 1, b: 2 }>`,
      ]);
    if (depth > 3 || next() < 0.3) return wrap(scalar());
    if (next() < 0.5) {
      const count = Math.floor(next() * 5);
      const parts = Array.from(
        { length: count },
        (_, index) => `${gap()}${key(index)}${gap()}:${gap()}${value(depth + 1)}`,
      );
      const trailing = count > 0 ? pick(['', ',', ', ']) : '';
      return wrap(`{${parts.join(',')}${trailing}${gap()}}`);
    }
    const count = Math.floor(next() * 5);
    const elements = Array.from({ length: count }, () => `${gap()}${value(depth + 1)}`);
    return wrap(`[${elements.join(',')}${gap()}]`);
  };
  const lines = ["import { defineProject } from 'carbon';", 'declare const helper: any;'];
  for (let index = 0; index < 4; index++) {
    const body = value(0);
    lines.push(
      pick([
        `export const e${index} = ${body};`,
        `export const e${index}: unknown = defineProject(${body})`,
        `export let e${index} = ${body}`,
      ]),
    );
  }
  lines.push(`export default ${value(0)};`);
  return `${lines.join('\n')}\n`;
}
