// locate: turns a diagnostic's settings path into the line and column of the property in the
// module's source, from the module's outline (outline.ts, built on the scanner in tokens.ts, once
// per file). What a unit found in a module of plain data comes located already, from the offsets
// the plain reader kept (realm.ts positionIn); this locates the rest: modules that ran,
// carbon.config.ts, and what the rules across projects found.
// TypeScript itself (ts-morph, half a second to load) is loaded only to word a syntax error.
import { readFileSync, statSync } from 'node:fs';
import type { SourceFile } from 'ts-morph';
import type { Diagnostic } from '../diagnostics.ts';
import { Outline } from './outline.ts';

type TsMorph = typeof import('ts-morph');

/** Fills in `position` for every diagnostic that lacks one. */
export async function locateDiagnostics(diagnostics: Diagnostic[]): Promise<Diagnostic[]> {
  const morph = diagnostics.some((d) => d.code === 'syntax-error')
    ? await import('ts-morph')
    : undefined;
  const outlines = new Map<string, Outline | undefined>();
  const outlineOf = (file: string): Outline | undefined => {
    if (!outlines.has(file)) outlines.set(file, readOutline(file));
    return outlines.get(file);
  };
  return diagnostics.map((diagnostic) => {
    if (diagnostic.code === 'syntax-error') return withTypeScriptSyntax(morph, diagnostic);
    if (diagnostic.position) return diagnostic;
    const { file, exportName, path } = diagnostic.origin;
    const outline = exportName === undefined ? undefined : outlineOf(file);
    const position = outline
      ? outline.locate(exportName!, path)
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
  return statSync(path, { throwIfNoEntry: false })?.isFile() ?? false;
}

function parse(morph: TsMorph, file: string): SourceFile | undefined {
  if (!isFile(file)) return undefined;
  const project = new morph.Project({
    useInMemoryFileSystem: true,
    compilerOptions: { allowJs: true },
  });
  return project.createSourceFile('/settings.ts', readFileSync(file, 'utf8'));
}

function readOutline(file: string): Outline | undefined {
  try {
    return Outline.of(readFileSync(file, 'utf8'));
  } catch {
    // A folder, or gone since it was loaded: the diagnostic points at no line.
    return undefined;
  }
}
