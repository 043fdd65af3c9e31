// Two sync schedules writing one branch undo each other (and `carbon apply`, which keys schedules
// by the branch they write, deletes one and rewrites the other at every run): one branch, one
// writer, across the whole workspace. The same repository can be written several ways
// (`github.com/acme/api.git`, `git@github.com:Acme/API.git`), and can be the mirror of one entry
// and the client's repository of another, so branches are compared by the repository they are
// in, not by the entry that names it. Each module's compile gives the branches its rules write;
// the check is one pass over them.
import { relative } from 'node:path';
import { error, quote, type Diagnostic } from '../diagnostics.ts';
import type { Source } from '../settings/parse.ts';
import type { Repository } from '../settings/schema.ts';
import { parseGitUrl } from '../settings/values.ts';
import { atSource, knownDirection, syncTarget } from './context.ts';

/** A branch a sync rule writes. */
export interface SyncWrite {
  /** The repository entry (its index in the written list, and its id) and the rule's index. */
  index: number;
  repository: string;
  rule: number;
  side: 'local' | 'origin';
  branch: string;
  /** The repository written: `host/owner/repo` in lower case (as GitHub compares them), or a file path. */
  target: string;
}

/** The branches the sync rules of a project's repositories write (in the written order). */
export function syncWritesOf(repositories: { index: number; settings: Repository }[]): SyncWrite[] {
  const writes: SyncWrite[] = [];
  for (const { index, settings } of repositories) {
    settings.sync.forEach((rule, ruleIndex) => {
      // An unknown direction is reported for itself (rules.ts), not read as either side.
      if (!knownDirection(rule)) return;
      const { side, branch } = syncTarget(rule);
      const written = side === 'local' ? settings.local.git : settings.origin?.git;
      const target = written === undefined ? undefined : repositoryKey(written);
      if (target === undefined) return;
      writes.push({ index, repository: settings.id, rule: ruleIndex, side, branch, target });
    });
  }
  return writes;
}

/** The same key for every way of writing one repository's URL. */
function repositoryKey(written: string): string | undefined {
  const location = parseGitUrl(written);
  if (!location) return undefined;
  const path = location.path.replace(/\/+$/, '').replace(/\.git$/, '');
  return location.kind === 'file' ? path : `${location.host}/${path}`.toLowerCase();
}

interface Writer {
  id: string;
  source: Source;
  syncWrites: SyncWrite[];
}

/** The second rule writing a branch is refused, naming the first. */
export function syncTargetsAreUnique({
  root,
  projects,
}: {
  root: string;
  projects: Writer[];
}): Diagnostic[] {
  const found: Diagnostic[] = [];
  const first = new Map<string, { project: Writer; write: SyncWrite }>();
  for (const project of projects) {
    for (const write of project.syncWrites) {
      const key = `${write.target}\0${write.branch}`;
      const earlier = first.get(key);
      if (!earlier) {
        first.set(key, { project, write });
        continue;
      }
      const same = earlier.project === project && earlier.write.index === write.index;
      const who = same
        ? `sync[${earlier.write.rule}]`
        : `${earlier.project.id}/${earlier.write.repository} sync[${earlier.write.rule}] ` +
          `(${relative(root, earlier.project.source.file)})`;
      found.push(
        error(
          'sync-target-conflict',
          atSource(
            project.source,
            'repositories',
            write.index,
            'sync',
            write.rule,
            'branches',
            write.side,
          ),
          `${who} already writes branch ${quote(write.branch)} of ${write.target}: two schedules ` +
            'writing one branch would undo each other; merge the rules or pick another branch',
        ),
      );
    }
  }
  return found;
}
