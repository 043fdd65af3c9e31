// Diagnostics: what every stage returns instead of printing or throwing.
import type { DiagnosticCode } from './diagnostic-codes.ts';

export type Severity = 'error' | 'warning';

/** A key in a settings path: a property name or an array index. */
export type PathSegment = string | number;

/** Where a diagnostic comes from, before it is located to a line and column. */
export interface Origin {
  /** Absolute path of the settings module. */
  file: string;
  /** The export holding the settings object ('default' for a default export); absent for file-level problems. */
  exportName?: string;
  /** Path inside the exported value, e.g. ['repositories', 2, 'build', 'branches', 'Taxaroo-Ap']. */
  path: PathSegment[];
}

export interface Position {
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
}

export interface Diagnostic {
  severity: Severity;
  /** Stable kebab-case code, e.g. `unknown-carbon-repo`: see diagnostic-codes.ts. */
  code: DiagnosticCode;
  message: string;
  origin: Origin;
  /** Known when the problem was found in source text (syntax errors, thrown errors). */
  position?: Position;
}

/** Line and column (from 1, in UTF-16 units, as TypeScript counts) of an offset in a text. */
export function positionAt(text: string, offset: number): Position {
  let line = 1;
  let lineStart = 0;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset;) {
    line++;
    lineStart = index + 1;
    index = text.indexOf('\n', lineStart);
  }
  return { line, column: offset - lineStart + 1 };
}

export function error(
  code: DiagnosticCode,
  origin: Origin,
  message: string,
  position?: Position,
): Diagnostic {
  return { severity: 'error', code, origin, message, ...(position ? { position } : {}) };
}

export function warning(code: DiagnosticCode, origin: Origin, message: string): Diagnostic {
  return { severity: 'warning', code, origin, message };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}

/** `repositories[2].build.branches.Taxaroo-Ap`: how users read a path. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    text += typeof segment === 'number' ? `[${segment}]` : text === '' ? segment : `.${segment}`;
  }
  return text;
}

/** Quotes a user's value for a message the way they would write it. */
export function quote(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  if (typeof value === 'function') return 'a function';
  try {
    const text = JSON.stringify(value);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  } catch {
    return String(value);
  }
}

/** `projects/taxaroo.ts:12:7 - error unknown-carbon-repo: repositories[0].build.carbonRepo: ...` */
export function formatDiagnostic(
  diagnostic: Diagnostic,
  displayFile: (file: string) => string,
): string {
  const { position, origin } = diagnostic;
  const where = position
    ? `${displayFile(origin.file)}:${position.line}:${position.column}`
    : displayFile(origin.file);
  const path = formatPath(origin.path);
  return `${where} - ${diagnostic.severity} ${diagnostic.code}: ${path === '' ? '' : `${path}: `}${diagnostic.message}`;
}

/**
 * By file, line and column: the order an editor walks them. Files in the order of their names'
 * characters, as modules are listed (walk.ts): the same on every machine, where localeCompare
 * follows the machine's locale (and its first call loads ICU's collation).
 */
export function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort(
    (a, b) =>
      compareText(a.origin.file, b.origin.file) ||
      (a.position?.line ?? 0) - (b.position?.line ?? 0) ||
      (a.position?.column ?? 0) - (b.position?.column ?? 0),
  );
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * What a command limited to some projects reports: every error (it stops the command), and the
 * warnings of those projects' modules and of files that hold no project (carbon.config.ts). The
 * warnings of other projects are generate's to say, not each command's run for another project.
 */
export function concerning(
  diagnostics: Diagnostic[],
  projectFiles: Iterable<string>,
  selectedFiles: Iterable<string>,
): Diagnostic[] {
  const others = new Set(projectFiles);
  for (const file of selectedFiles) others.delete(file);
  return diagnostics.filter((d) => d.severity === 'error' || !others.has(d.origin.file));
}
