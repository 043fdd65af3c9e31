// locate: turns a diagnostic's settings path into the line and column of the property in the
// module's source: for a module of plain data from what the plain reader kept while reading it
// again (plain-module.ts, once per file), for any other from the module's outline (outline.ts,
// built on the scanner in tokens.ts, once per file).
// TypeScript itself (ts-morph, half a second to load) is loaded only to word a syntax error.
import { readFileSync, statSync } from 'node:fs';
import type { SourceFile } from 'ts-morph';
import type { Diagnostic, PathSegment, Position } from '../diagnostics.ts';
import { Outline } from './outline.ts';
import { locateInPlainModule, positionInRead, readPlainModule } from './plain-module.ts';

type TsMorph = typeof import('ts-morph');

/** Fills in `position` for every diagnostic that lacks one. */
export async function locateDiagnostics(diagnostics: Diagnostic[]): Promise<Diagnostic[]> {
  const morph = diagnostics.some((d) => d.code === 'syntax-error')
    ? await import('ts-morph')
    : undefined;
  const modules = new Map<string, ModuleText | undefined>();
  const moduleOf = (file: string): ModuleText | undefined => {
    if (!modules.has(file)) modules.set(file, readModule(file));
    return modules.get(file);
  };
  return diagnostics.map((diagnostic) => {
    if (diagnostic.code === 'syntax-error') return withTypeScriptSyntax(morph, diagnostic);
    if (diagnostic.position) return diagnostic;
    const { file, exportName, path } = diagnostic.origin;
    const module = exportName === undefined ? undefined : moduleOf(file);
    const position = module
      ? module.locate(exportName!, path)
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

/**
 * A module's text, read once: located from what the plain reader kept while reading it, or, when
 * the reader declines it, from its outline.
 */
class ModuleText {
  private readonly text: string;
  /** The plain reading's exports; null when the reader declined the module. */
  private plain: Record<string, unknown> | null | undefined;
  private outline: Outline | undefined;

  constructor(text: string) {
    this.text = text;
  }

  locate(exportName: string, path: PathSegment[]): Position {
    this.plain ??= readPlainModule(this.text) ?? null;
    if (this.plain)
      return (
        positionInRead(this.text, this.plain, exportName, path) ??
        locateInPlainModule(this.text, exportName, path)!
      );
    this.outline ??= Outline.of(this.text);
    return this.outline.locate(exportName, path);
  }
}

function readModule(file: string): ModuleText | undefined {
  try {
    return new ModuleText(readFileSync(file, 'utf8'));
  } catch {
    // A folder, or gone since it was loaded: the diagnostic points at no line.
    return undefined;
  }
}
