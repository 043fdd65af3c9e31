// Value checks: what passes, what is refused, and what the refusal says.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { expand, parseCron } from '../../src/settings/cron.ts';
import { withoutUrlCredentials } from '../../src/secrets.ts';
import {
  checkBranch,
  checkGitUrl,
  checkHttpsUrl,
  checkOrbUrl,
  parseGitUrl,
} from '../../src/settings/values.ts';

/** git's own verdict on a branch name. */
function gitAccepts(branch: string): boolean {
  try {
    execFileSync('git', ['check-ref-format', '--branch', branch], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('branch names', () => {
  it.each(['develop', 'main', 'sync/develop', 'release/1.2.x', 'feature/JIRA-12_fix', 'a.b', 'v1'])(
    'accepts %s',
    (branch) => {
      expect(checkBranch(branch)).toBeUndefined();
      expect(gitAccepts(branch)).toBe(true);
    },
  );

  // git itself accepts all of these: each would become shell or CircleCI parameter injection.
  it.each([
    'a;b',
    '$(id)',
    '`id`',
    'a|b',
    'a&b',
    'x<<parameters.y>>',
    "a'b",
    'a"b',
    'a$b',
    'a{b}',
    'a%b',
    'a,b',
    'a=b',
    'a!b',
    'a#b',
  ])('refuses %s, which git accepts', (branch) => {
    expect(gitAccepts(branch)).toBe(true);
    expect(checkBranch(branch)).toMatch(
      /is not allowed \(use letters, digits, "\.", "_", "\/" and "-"\)/,
    );
  });

  it.each([
    ['-rf', 'must not start with "-"'],
    ['a..b', '".."'],
    ['a//b', '"//"'],
    ['/a', 'start or end with "/"'],
    ['a/', 'start or end with "/"'],
    ['a.', 'end with "."'],
    ['.hidden', 'may start with "."'],
    ['x/.y', 'may start with "."'],
    ['x.lock', '".lock"'],
    ['a b', '" " is not allowed'],
    ['a~1', '"~" is not allowed'],
    ['a^', '"^" is not allowed'],
    ['a:b', '":" is not allowed'],
    ['a?', '"?" is not allowed'],
    ['a*', '"*" is not allowed'],
    ['a[b', '"[" is not allowed'],
    ['a\\b', '"\\\\" is not allowed'],
    ['a@{b', '"@" is not allowed'],
    ['HEAD', 'reserved'],
    ['', 'empty'],
  ])('refuses %j, as git would (%s)', (branch, reason) => {
    expect(checkBranch(branch)).toContain(reason);
    if (branch !== '' && branch !== '-rf') expect(gitAccepts(branch)).toBe(false);
  });
});

describe('git URLs', () => {
  it.each([
    [
      'github.com/BlackstoneStudio/Taxaroo-API-V2.git',
      { kind: 'remote', host: 'github.com', path: 'BlackstoneStudio/Taxaroo-API-V2.git' },
    ],
    [
      'git@github.com:owner/repo.git',
      { kind: 'remote', user: 'git', host: 'github.com', path: 'owner/repo.git' },
    ],
    [
      'https://gitlab.example.com/group/sub/repo.git',
      { kind: 'remote', host: 'gitlab.example.com', path: 'group/sub/repo.git' },
    ],
    [
      'ssh://git@git.example.com:2222/owner/repo.git',
      { kind: 'remote', user: 'git', host: 'git.example.com', port: 2222, path: 'owner/repo.git' },
    ],
    ['file:///srv/git/repo.git', { kind: 'file', path: '/srv/git/repo.git' }],
  ])('reads %s', (url, expected) => {
    expect(parseGitUrl(url)).toEqual(expected);
    expect(checkGitUrl(url)).toBeUndefined();
  });

  it.each([
    'repo.git',
    'github.com/repo.git',
    'http://github.com/owner/repo.git',
    'github.com/owner/repo.git;rm -rf /',
    'github.com/owner/$(id).git',
    'git@github.com:owner/../repo.git',
    'file://relative/repo.git',
    'file:///srv/git/../etc',
    'ftp://host/owner/repo.git',
  ])('refuses %s', (url) => {
    expect(checkGitUrl(url)).toContain(JSON.stringify(url));
  });

  it.each([
    'https://token:x@github.com/owner/repo.git',
    'https://ghp_secret123@github.com/owner/repo.git',
    'ssh://git:hunter2@github.com/owner/repo.git',
  ])('refuses %s without echoing its credentials', (url) => {
    const message = checkGitUrl(url)!;
    expect(message).toContain('has credentials in it (shown as ***)');
    expect(message).toContain('@github.com/owner/repo.git');
    for (const secret of ['token:x', 'ghp_secret123', 'hunter2'])
      expect(message).not.toContain(secret);
  });
});

describe('URL credentials', () => {
  it.each([
    ['https://agent:s3cret@jira.example.com', checkHttpsUrl, 'has credentials in it'],
    ['http://agent:s3cret@jira.example.com', checkHttpsUrl, 'must be an https:// URL'],
    ['https://agent:s3cret@orbs.example.com/carbon/1.0.0/orb.yml', checkOrbUrl, 'not an orb URL'],
  ])('%s is refused, its password not shown', (url, check, why) => {
    const message = check(url)!;
    expect(message).toContain(why);
    expect(message).toContain('agent:***@');
    expect(message).not.toContain('s3cret');
  });

  it.each([
    ['https://user:pass@host/x and http://tok@h/y', 'https://user:***@host/x and http://***@h/y'],
    [
      "unable to access 'https://x-access-token:ghs_1@github.com/a/b/'",
      "unable to access 'https://x-access-token:***@github.com/a/b/'",
    ],
    [
      'ssh://git@github.com/a/b.git and git@github.com:a/b.git',
      'ssh://git@github.com/a/b.git and git@github.com:a/b.git',
    ],
  ])('withoutUrlCredentials(%j)', (text, expected) => {
    expect(withoutUrlCredentials(text)).toBe(expected);
  });
});

describe('cron strings', () => {
  it.each([
    ['0 * * * *', [[0], 24, 31, 12, 7]],
    ['*/15 9-17 * * 1-5', [[0, 15, 30, 45], 9, 31, 12, 5]],
    ['30 2 1,15 * 0', [[30], 1, 2, 12, 1]],
    // Fires on the days the months have: the 31st of January, the 29th of February in leap years,
    // and the 31st of February or any Monday of it (cron takes either day field).
    ['0 0 31 1,2 *', [[0], 1, 1, 2, 7]],
    ['0 0 29 2 *', [[0], 1, 1, 1, 7]],
    ['0 0 31 2 1', [[0], 1, 1, 1, 1]],
  ])('reads %s', (text, [minutes, hours, days, months, weekdays]) => {
    const result = parseCron(text);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const [minute, hour, dom, month, dow] = result.cron.map(expand);
    expect(minute).toEqual(minutes);
    expect([hour!.length, dom!.length, month!.length, dow!.length]).toEqual([
      hours,
      days,
      months,
      weekdays,
    ]);
  });

  it.each([
    ['@hourly', 'write the five fields instead, "0 * * * *"'],
    ['@daily', '"0 0 * * *"'],
    ['@reboot', 'macro'],
    ['0 * * *', 'has 4 fields'],
    ['0 0 * * * *', 'has 6 fields'],
    ['60 * * * *', 'from 0 to 59'],
    ['0 24 * * *', 'from 0 to 23'],
    ['0 0 0 * *', 'from 1 to 31'],
    ['0 0 * 13 *', 'from 1 to 12'],
    ['0 0 * * 7', 'uses 7 for Sunday: write 0'],
    ['0 0 * JAN *', 'write 1 for JAN'],
    ['0 0 * * MON-FRI', 'write 1 for MON'],
    ['*/0 * * * *', 'positive number'],
    ['5-1 * * * *', 'backwards range'],
    ['a * * * *', 'write a number'],
    // Valid fields, but no time they all match: a schedule that never runs.
    ['0 0 31 2 *', 'never fires: month 2 (FEB) has at most 29 days, and day 31 is named'],
    ['0 0 30 2 *', 'never fires: month 2 (FEB) has at most 29 days, and day 30 is named'],
    [
      '0 0 31 4,6,9,11 *',
      'never fires: months 4, 6, 9 and 11 (APR, JUN, SEP, NOV) have at most 30 days, and day 31 is named',
    ],
    ['0 0 30-31 2 *', 'days 30 and 31 are named: name a day from 1 to 29, or other months'],
  ])('refuses %j: %s', (text, reason) => {
    const result = parseCron(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(reason);
  });
});
