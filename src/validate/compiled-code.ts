// V8's compiled code for code Carbon keeps (the schema's validator: schema.ts), kept beside it so
// that a later process need not compile it again. V8 takes such code after checking only a
// header (its version and flags, and the source's length): not the source's text, nor its own
// bytes. A damaged file could crash every later run (a byte changed: a segfault), so each file
// starts with a SHA-256 of the rest, checked before V8 sees it; and its name holds a hash of the
// source and V8's tag for its version and flags.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { cachedDataVersionTag } from 'node:v8';
import { Script } from 'node:vm';
import { hashOfText } from '../hash.ts';
import { writeAtomic } from '../store.ts';

const CHECKSUM_BYTES = 32;

export interface CompiledScript {
  script: Script;
  /**
   * Keeps V8's code for the script, when none was taken from a file: called once the script has
   * run what later processes will run (V8 compiles a function when it first runs), so that those
   * functions go with it. Failing to keep costs only the next process time.
   */
  keep?: () => void;
}

/**
 * `source` (the text kept at `path`, as given, or wrapped) compiled with V8's code kept for it,
 * when there is code for this very text, this V8 and these flags. The flags are the process's:
 * a run that starts a settings worker raises one (prewarm.ts), so runs with and without a worker
 * each keep their own.
 */
export function compileKept(path: string, text: string, source: string): CompiledScript {
  const codePath = `${path}.${hashOfText(text).slice(0, 16)}-${cachedDataVersionTag()}.v8`;
  const cachedData = readChecked(codePath);
  const script = new Script(source, { filename: path, ...(cachedData ? { cachedData } : {}) });
  if (cachedData && !script.cachedDataRejected) return { script };
  return {
    script,
    keep: () => {
      try {
        const data = script.createCachedData();
        writeAtomic(codePath, Buffer.concat([checksum(data), data]));
      } catch {
        // Not kept: compiled from the text again next time.
      }
    },
  };
}

/** V8's code kept at `path`, when its checksum holds; a damaged file is removed. */
function readChecked(path: string): Buffer | undefined {
  let file: Buffer;
  try {
    file = readFileSync(path);
  } catch {
    return undefined;
  }
  const data = file.subarray(CHECKSUM_BYTES);
  if (file.length > CHECKSUM_BYTES && checksum(data).equals(file.subarray(0, CHECKSUM_BYTES)))
    return data;
  rmSync(path, { force: true });
  return undefined;
}

function checksum(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}
