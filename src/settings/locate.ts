// locate: turns a diagnostic's settings path into the line and column of the property in the
// module's source. ts-morph costs about half a second to load, so it is imported only here, and
// this runs only when there is something to report.
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Node, SourceFile } from 'ts-morph';
import type { Diagnostic, PathSegment, Position } from '../diagnostics.ts';

type TsMorph = typeof import('ts-morph');

/** Fills in `position` for every diagnostic that lacks one. */
export async function locateDiagnostics(diagnostics: Diagnostic[]): Promise<Diagnostic[]> {
  const needSource = diagnostics.some(
    (d) => (!d.position && d.origin.exportName !== undefined) || d.code === 'syntax-error',
  );
  const morph = needSource ? await import('ts-morph') : undefined;
  const files = new Map<string, SourceFile | undefined>();
  const sourceOf = (file: string): SourceFile | undefined => {
    if (!morph) return undefined;
    if (!files.has(file)) files.set(file, parse(morph, file));
    return files.get(file);
  };
  return diagnostics.map((diagnostic) => {
    if (diagnostic.code === 'syntax-error') return withTypeScriptSyntax(morph, diagnostic);
    if (diagnostic.position) return diagnostic;
    const { file, exportName, path } = diagnostic.origin;
    const source = exportName === undefined ? undefined : sourceOf(file);
    const position = source
      ? locate(morph!, source, exportName!, path)
      : isFile(file)
        ? { line: 1, column: 1 }
        : undefined;
    return position ? { ...diagnostic, position } : diagnostic;
  });
}

/**
 * The loader's transpiler reports a syntax error where it gave up; TypeScript's own parser says
 * what was expected and where, as the user's editor does. Its first syntax error wins.
 */
function withTypeScriptSyntax(morph: TsMorph | undefined, diagnostic: Diagnostic): Diagnostic {
  const source = morph && parse(morph, diagnostic.origin.file);
  const first = source?.getProject().getProgram().getSyntacticDiagnostics(source)[0];
  const start = first?.getStart();
  if (!source || !first || start === undefined) return diagnostic;
  const text = first.getMessageText();
  const message = typeof text === 'string' ? text : text.getMessageText();
  const { line, column } = source.getLineAndColumnAtPos(start);
  return { ...diagnostic, message: `syntax error: ${message}`, position: { line, column } };
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}

function parse(morph: TsMorph, file: string): SourceFile | undefined {
  if (!isFile(file)) return undefined;
  const project = new morph.Project({
    useInMemoryFileSystem: true,
    compilerOptions: { allowJs: true },
  });
  return project.createSourceFile('/settings.ts', readFileSync(file, 'utf8'));
}

/** The position of the deepest node of `path` that can be followed in the source. */
export function locate(
  morph: TsMorph,
  source: SourceFile,
  exportName: string,
  path: PathSegment[],
): Position {
  const { Node } = morph;
  const found = findExport(morph, source, exportName);
  if (!found) return { line: 1, column: 1 };
  let marker: Node = found.marker;
  let value: Node | undefined = found.value;
  for (const segment of path) {
    value = value && unwrap(morph, value);
    if (!value) break;
    if (typeof segment === 'string' && Node.isObjectLiteralExpression(value)) {
      const property = value.getProperty((p) => propertyName(morph, p) === segment);
      if (!property) break;
      marker =
        Node.isPropertyAssignment(property) || Node.isShorthandPropertyAssignment(property)
          ? property.getNameNode()
          : property;
      value = Node.isPropertyAssignment(property)
        ? property.getInitializer()
        : Node.isShorthandPropertyAssignment(property)
          ? definitionOf(morph, property.getNameNode())
          : undefined;
    } else if (typeof segment === 'number' && Node.isArrayLiteralExpression(value)) {
      const elements = value.getElements();
      // After a spread, written positions no longer match indexes: stop at the array.
      if (elements.slice(0, segment + 1).some((e) => Node.isSpreadElement(e))) break;
      const element = elements[segment];
      if (!element) break;
      marker = element;
      value = element;
    } else {
      break;
    }
  }
  const { line, column } = source.getLineAndColumnAtPos(marker.getStart());
  return { line, column };
}

function propertyName(morph: TsMorph, property: Node): string | undefined {
  const { Node } = morph;
  if (!Node.isPropertyAssignment(property) && !Node.isShorthandPropertyAssignment(property))
    return undefined;
  const name = property.getNameNode();
  if (Node.isStringLiteral(name) || Node.isNoSubstitutionTemplateLiteral(name))
    return name.getLiteralText();
  if (Node.isComputedPropertyName(name)) {
    const expression = name.getExpression();
    return Node.isStringLiteral(expression) ? expression.getLiteralText() : undefined;
  }
  return name.getText();
}

/** Sees through what does not change a value: parentheses, `as`, `satisfies`, `!`, `defineProject(...)`, and names of consts. */
function unwrap(morph: TsMorph, node: Node): Node | undefined {
  const { Node } = morph;
  let current: Node | undefined = node;
  for (let depth = 0; current && depth < 20; depth++) {
    if (
      Node.isParenthesizedExpression(current) ||
      Node.isAsExpression(current) ||
      Node.isSatisfiesExpression(current) ||
      Node.isNonNullExpression(current) ||
      Node.isTypeAssertion(current)
    ) {
      current = current.getExpression();
    } else if (
      Node.isCallExpression(current) &&
      /^(?:\w+\.)?define(?:Project|Config)$/.test(current.getExpression().getText())
    ) {
      current = current.getArguments()[0];
    } else if (Node.isIdentifier(current)) {
      current = definitionOf(morph, current);
    } else {
      return current;
    }
  }
  return current;
}

/** The initializer of the same-file `const` an identifier names. */
function definitionOf(morph: TsMorph, identifier: Node): Node | undefined {
  const { Node } = morph;
  const name = identifier.getText();
  const declaration = identifier
    .getSourceFile()
    .getVariableDeclarations()
    .find((d) => d.getName() === name);
  const initializer = declaration?.getInitializer();
  return initializer && !Node.isIdentifier(initializer)
    ? initializer
    : initializer && definitionOf(morph, initializer);
}

/** The node to point at for an export, and its value. */
function findExport(
  morph: TsMorph,
  source: SourceFile,
  exportName: string,
): { marker: Node; value: Node | undefined } | undefined {
  const { Node } = morph;
  if (exportName === 'default') {
    const assignment = source.getExportAssignment((a) => !a.isExportEquals());
    if (assignment) return { marker: assignment, value: assignment.getExpression() };
  }
  for (const statement of source.getVariableStatements()) {
    for (const declaration of statement.getDeclarations()) {
      if (declaration.getName() === exportName && statement.isExported()) {
        return { marker: declaration.getNameNode(), value: declaration.getInitializer() };
      }
    }
  }
  // `export { local as name }`
  for (const exportDeclaration of source.getExportDeclarations()) {
    for (const specifier of exportDeclaration.getNamedExports()) {
      const alias = specifier.getAliasNode()?.getText() ?? specifier.getName();
      if (alias !== exportName) continue;
      const local = source.getVariableDeclaration(specifier.getName());
      return { marker: local?.getNameNode() ?? specifier, value: local?.getInitializer() };
    }
  }
  // `exports const x` is read by TypeScript as a statement `exports` and a plain `const x`.
  const declaration = source.getVariableDeclaration(exportName);
  if (declaration)
    return { marker: declaration.getNameNode(), value: declaration.getInitializer() };
  const other = source.getExportedDeclarations().get(exportName)?.[0];
  if (other)
    return {
      marker: (Node.hasName(other) ? other.getNameNode() : undefined) ?? other,
      value: undefined,
    };
  return undefined;
}
