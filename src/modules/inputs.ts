// What a settings evaluation read, recorded as it was read, and how to tell later whether any of
// it changed: the bytes of every file (by hash), every path looked at while resolving an import
// (with whether it was a file then), and every environment variable read through env().
import { closeSync, constants, fstatSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Position } from '../diagnostics.ts';
import { hashOfText } from '../hash.ts';

export interface Inputs {
  /** Settings files read, by workspace-relative path, with the hash of the bytes read. */
  files: Record<string, string>;
  /** Every path looked at while resolving an import, relative, with whether it was a file. */
  probes: Record<string, boolean>;
  /** Environment variables read through env(), with their values (null: unset). */
  env: Record<string, string | null>;
}

export type Read =
  { text: string; hash: string } | { error: string; hash: string; position?: Position };

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Reads settings files once per run: bytes, hash, and the text when it is UTF-8. */
export class SettingsFiles {
  private readonly root: string;
  private readonly known = new Map<string, Read>();

  constructor(root: string) {
    this.root = root;
  }

  read(file: string): Read {
    let read = this.known.get(file);
    if (!read) {
      read = readSettingsFile(file, this.root);
      this.known.set(file, read);
    }
    return read;
  }
}

export function readSettingsFile(file: string, root: string): Read {
  let bytes: Buffer;
  try {
    bytes = readRegularFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      error: `cannot read ${displayPath(file, root)}: ${code ?? (error as Error).message}`,
      hash: '<unreadable>',
    };
  }
  const hash = hashOfText(bytes);
  try {
    return { text: decoder.decode(bytes), hash };
  } catch {
    const position = firstInvalidUtf8(bytes);
    return {
      error: `${displayPath(file, root)} is not UTF-8 (a byte at line ${position.line}, column ${position.column} is no UTF-8 character): save it as UTF-8`,
      hash,
      position,
    };
  }
}

/**
 * A file's bytes, when it is a regular file: opened without blocking and checked before it is
 * read, so that a named pipe put where a settings file was looked at never waits for a writer.
 */
function readRegularFile(file: string): Buffer {
  const descriptor = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(descriptor).isFile())
      throw Object.assign(new Error('not a regular file'), { code: 'not a regular file' });
    return readFileSync(descriptor);
  } finally {
    closeSync(descriptor);
  }
}

function displayPath(file: string, root: string): string {
  return file.startsWith(`${root}/`) ? file.slice(root.length + 1) : file;
}

/** Line and column (in characters) of the first byte that does not start a valid UTF-8 character. */
function firstInvalidUtf8(bytes: Buffer): Position {
  let line = 1;
  let column = 1;
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index]!;
    const length =
      lead < 0x80
        ? 1
        : lead >= 0xc2 && lead <= 0xdf
          ? 2
          : lead >= 0xe0 && lead <= 0xef
            ? 3
            : lead >= 0xf0 && lead <= 0xf4
              ? 4
              : 0;
    if (length === 0 || index + length > bytes.length) break;
    try {
      decoder.decode(bytes.subarray(index, index + length));
    } catch {
      break;
    }
    if (lead === 0x0a) {
      line++;
      column = 1;
    } else {
      column++;
    }
    index += length;
  }
  return { line, column };
}

/**
 * The workspace's files as they are now, each read or looked at once: every module records the
 * helpers it imported, and a helper imported by 500 modules is one read, not 500. A new one per
 * check of "now" (the end of a run looks again, for files saved during it).
 */
export class CurrentFiles {
  private readonly root: string;
  private readonly hashes = new Map<string, string>();
  private readonly files = new Map<string, boolean>();

  constructor(root: string) {
    this.root = root;
  }

  hash(path: string): string {
    let hash = this.hashes.get(path);
    if (hash === undefined) {
      try {
        hash = hashOfText(readFileSync(join(this.root, path)));
      } catch {
        hash = '<unreadable>';
      }
      this.hashes.set(path, hash);
    }
    return hash;
  }

  isFile(path: string): boolean {
    let isFile = this.files.get(path);
    if (isFile === undefined) {
      try {
        isFile = statSync(join(this.root, path)).isFile();
      } catch {
        isFile = false;
      }
      this.files.set(path, isFile);
    }
    return isFile;
  }
}

/** Whether everything recorded is still as it was read. */
export function inputsUnchanged(
  current: CurrentFiles,
  inputs: Inputs,
  env: Record<string, string | null>,
): boolean {
  for (const [path, hash] of Object.entries(inputs.files))
    if (current.hash(path) !== hash) return false;
  for (const [path, wasFile] of Object.entries(inputs.probes))
    if (current.isFile(path) !== wasFile) return false;
  for (const [name, value] of Object.entries(inputs.env)) {
    if ((env[name] ?? null) !== value) return false;
  }
  return true;
}
