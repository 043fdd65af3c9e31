// The API client against the stand-in: retries on 429 and 5xx honouring Retry-After within a
// bound, no retry of what CircleCI refused, every attempt bounded in time, a POST never sent twice
// after a timeout, the requests in flight bounded, pages followed, and the token in no message.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CircleCiApi, PATHS } from '../../src/deliver/circleci/api.ts';
import { ApiError, Http, retryAfter, type HttpOptions } from '../../src/deliver/circleci/http.ts';
import { CircleCiStandIn, ME, STAND_IN_TOKEN } from '../helpers/circleci-api.ts';

let api: CircleCiStandIn;
beforeEach(async () => {
  api = await new CircleCiStandIn().start();
});
afterEach(() => api.close());

function http(options: Partial<HttpOptions> = {}, debug: string[] = []): Http {
  return new Http({
    baseUrl: api.url,
    token: STAND_IN_TOKEN,
    timeoutMs: 5000,
    maxAttempts: 3,
    maxWaitMs: 10_000,
    backoffMs: 1,
    maxConcurrent: 8,
    userAgent: 'carbon-test',
    debug: (line) => debug.push(line),
    ...options,
  });
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const caught = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(caught).toBeInstanceOf(ApiError);
  return caught as ApiError;
}

describe('retries', () => {
  it('does not retry a host that does not resolve or refuses the connection', async () => {
    const closed = await new CircleCiStandIn().start();
    await closed.close();
    for (const baseUrl of [closed.url, 'http://carbon-test.invalid/api/v2']) {
      const debug: string[] = [];
      const error = await failure(http({ baseUrl, maxAttempts: 5 }, debug).request('GET', '/me'));
      expect(error.message).toMatch(
        /^CircleCI could not be reached: fetch failed \((connect ECONNREFUSED|getaddrinfo (ENOTFOUND|EAI_AGAIN))/,
      );
      expect(error.status).toBeUndefined();
      expect(debug.filter((line) => line.includes('retrying'))).toEqual([]);
    }
  });

  it('retries a 429 after the Retry-After CircleCI gives, then succeeds', async () => {
    api.inject({ path: /^\/me$/, status: 429, retryAfter: '0', times: 2 });
    await expect(http().request('GET', '/me')).resolves.toMatchObject({ id: ME.id });
    expect(api.requests.map((request) => request.status)).toEqual([429, 429, 200]);
  });

  it('retries 5xx, and gives up after the last attempt, saying how many there were', async () => {
    api.inject({ status: 502, times: Infinity, message: 'Bad gateway' });
    const error = await failure(http().request('GET', '/me'));
    expect(error.message).toBe('502 Bad gateway (after 3 attempts)');
    expect(error.status).toBe(502);
    expect(api.requests).toHaveLength(3);
  });

  it('does not wait longer than it allows: a Retry-After beyond the bound fails at once', async () => {
    api.inject({ status: 429, retryAfter: '3600', times: Infinity });
    const error = await failure(http({ maxWaitMs: 60_000 }).request('GET', '/me'));
    expect(error.message).toContain(
      'asks to wait 3600 s before trying again: more than Carbon waits (60 s)',
    );
    expect(api.requests).toHaveLength(1);
  });

  it.each([400, 401, 403, 404])('does not retry a %i', async (status) => {
    api.inject({ status, times: Infinity });
    const error = await failure(http().request('GET', '/me'));
    expect(error.status).toBe(status);
    expect(api.requests).toHaveLength(1);
  });

  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.parse('2026-08-20T10:00:00Z');
    expect(retryAfter('2', now)).toBe(2000);
    expect(retryAfter('0.5', now)).toBe(500);
    expect(retryAfter('Thu, 20 Aug 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(retryAfter('Thu, 20 Aug 2026 09:00:00 GMT', now)).toBe(0);
    expect(retryAfter('soon', now)).toBeUndefined();
    expect(retryAfter(null, now)).toBeUndefined();
  });
});

describe('time', () => {
  it('bounds every attempt in time, and retries a GET that got no answer', async () => {
    api.delayMs = 400;
    const error = await failure(http({ timeoutMs: 50, maxAttempts: 2 }).request('GET', '/me'));
    expect(error.message).toBe('no answer from CircleCI within 0.05 s (after 2 attempts)');
    expect(error.status).toBeUndefined();
    // On a loaded machine an attempt can reach the stand-in after the client gave up on it.
    await expect.poll(() => api.arrivals, { timeout: 10_000 }).toBe(2);
  });

  it('never sends a POST twice after a timeout: it may have been carried out', async () => {
    api.delayMs = 400;
    api.addProject('gh/acme/api', 'oauth');
    const error = await failure(
      http({ timeoutMs: 50 }).request('POST', PATHS.schedules('gh/acme/api'), {}),
    );
    expect(error.message).toBe('no answer from CircleCI within 0.05 s');
    // On a loaded machine the POST can reach the stand-in after the client gave up on it: wait
    // for it, and for the stand-in to finish what arrived. A second POST would have been sent
    // before the error came back, so it would have arrived by then too.
    await expect.poll(() => api.arrivals, { timeout: 10_000 }).toBe(1);
    await expect.poll(() => api.inFlight, { timeout: 10_000 }).toBe(0);
    expect(api.arrivals).toBe(1);
  });
});

describe('the token', () => {
  it('goes in the Circle-Token header only, and never into an error or a debug line', async () => {
    api.inject({ status: 500, times: Infinity, message: `token ${STAND_IN_TOKEN} is no good` });
    const debug: string[] = [];
    const error = await failure(http({}, debug).request('GET', '/me'));
    expect(error.message).toBe('500 token [CIRCLE_TOKEN] is no good (after 3 attempts)');
    expect(debug.length).toBeGreaterThan(0);
    expect(debug.join('\n')).not.toContain(STAND_IN_TOKEN);
    expect(debug[0]).toMatch(/^GET \/me -> 500 in \d+ ms$/);
  });

  it('is redacted before a long message is cut: a server echoing it deep in its answer leaks none of it', async () => {
    api.inject({ status: 400, message: `${'x'.repeat(285)} ${STAND_IN_TOKEN} is not valid here` });
    const error = await failure(http().request('GET', '/me'));
    expect(error.message).toContain('[CIRCLE_TOKEN]');
    expect(error.message.length).toBeLessThan(320);
    // Not even a part of it: every 6 characters of the token are absent.
    for (let start = 0; start + 6 <= STAND_IN_TOKEN.length; start++)
      expect(error.message).not.toContain(STAND_IN_TOKEN.slice(start, start + 6));
  });

  it('keeps the credentials of a URL out of its errors', async () => {
    const withPassword = http({ baseUrl: api.url.replace('http://', 'http://agent:s3cretPass@') });
    const error = await failure(withPassword.request('GET', '/me'));
    expect(error.message).toContain('agent:***@127.0.0.1');
    expect(error.message).not.toContain('s3cretPass');
  });

  it('is refused by CircleCI when wrong, with its message', async () => {
    const error = await failure(http({ token: 'CCIPAT_wrong' }).request('GET', '/me'));
    expect(error.message).toBe('401 Invalid token provided.');
  });
});

describe('fleets', () => {
  it('keeps the requests in flight at once within the bound', async () => {
    api.delayMs = 30;
    const client = http({ maxConcurrent: 4 });
    await Promise.all(Array.from({ length: 20 }, () => client.request('GET', '/me')));
    expect(api.requests).toHaveLength(20);
    expect(api.maxInFlight).toBe(4);
  });

  it('follows next_page_token to the last page', async () => {
    api.addProject('gh/acme/api', 'oauth');
    for (let n = 1; n <= 5; n++)
      api.addScheduleByHand('gh/acme/api', {
        name: `hand-${n}`,
        'attribution-actor': 'system',
        parameters: { branch: 'main' },
        timetable: { 'per-hour': 1, 'hours-of-day': [n], 'days-of-week': ['MON'] },
      });
    const schedules = await new CircleCiApi(http()).schedules('gh/acme/api');
    expect(schedules.map((schedule) => schedule.name)).toEqual([
      'hand-1',
      'hand-2',
      'hand-3',
      'hand-4',
      'hand-5',
    ]);
    expect(api.requests.map((request) => request.path)).toEqual([
      '/project/gh/acme/api/schedule',
      expect.stringMatching(/^\/project\/gh\/acme\/api\/schedule\?page-token=\w+$/),
      expect.stringMatching(/^\/project\/gh\/acme\/api\/schedule\?page-token=\w+$/),
    ]);
  });
});
