// The HTTP side of CircleCI's API: one request at a time, each bounded in time, retried with
// backoff when CircleCI is throttling (429) or failing (5xx), honouring Retry-After within a bound.
// The token goes into one header and nowhere else (API v2's Circle-Token; `Authorization: Bearer`
// for API v3, as the CircleCI CLI sends it): every text this module produces (errors, debug
// lines) passes through `redact`, so a server that echoes it cannot leak it either, and neither
// can the credentials of a URL.
import { redact } from '../../secrets.ts';

export type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';

export interface HttpOptions {
  /** The API root, as https://circleci.com/api/v2 (no trailing slash needed). */
  baseUrl: string;
  token: string;
  /** Per attempt. */
  timeoutMs: number;
  /** Attempts per request, the first included. */
  maxAttempts: number;
  /** The longest single wait Carbon accepts, from Retry-After or its own backoff. */
  maxWaitMs: number;
  /** First backoff without Retry-After; doubled at each attempt. */
  backoffMs: number;
  /** Requests in flight at once, whoever sends them (a wait before a retry keeps its place). */
  maxConcurrent: number;
  /** Receives one line per request and per retry (CARBON_DEBUG). */
  debug?: (line: string) => void;
  /** Told when a request waits before a retry, for the progress line. */
  onWait?: (ms: number, why: string) => void;
  userAgent: string;
  /**
   * `v3`: requests as the CircleCI CLI makes them to API v3 (the orb registry): the token as
   * `Authorization: Bearer`, JSON bodies as `application/json; charset=utf-8`. Else API v2's
   * Circle-Token header.
   */
  dialect?: 'v2' | 'v3';
}

/** A request CircleCI refused or that could not be made; `status` is absent when none came back. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly method: Method;
  readonly path: string;
  readonly status: number | undefined;
  constructor(message: string, method: Method, path: string, status?: number) {
    super(message);
    this.method = method;
    this.path = path;
    this.status = status;
  }
}

/** Whether CircleCI answered 404: a project it does not know, or the token may not see. */
export function isNotFound(caught: unknown): caught is ApiError {
  return caught instanceof ApiError && caught.status === 404;
}

const RETRIED = (status: number) => status === 429 || status >= 500;

export class Http {
  private readonly options: HttpOptions;
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(options: HttpOptions) {
    this.options = options;
  }

  /** Sends a request and returns its JSON body (undefined for an empty one). */
  async request(method: Method, path: string, body?: unknown): Promise<unknown> {
    const text = await this.text(method, path, body);
    return text.trim() === '' ? undefined : parse(text);
  }

  /** Sends a request and returns its body as it came, for an answer that is not JSON. */
  async text(method: Method, path: string, body?: unknown): Promise<string> {
    // A finished request hands its place to the next one waiting, so that none can slip in between.
    if (this.running >= this.options.maxConcurrent)
      await new Promise<void>((resolve) => this.queue.push(resolve));
    else this.running++;
    try {
      return await this.send(method, path, body);
    } finally {
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    }
  }

  private async send(method: Method, path: string, body: unknown): Promise<string> {
    const { maxAttempts } = this.options;
    for (let attempt = 1; ; attempt++) {
      const outcome = await this.attempt(method, path, body);
      if (outcome.kind === 'done') return outcome.text;
      const last = attempt >= maxAttempts;
      if (outcome.kind === 'failed' || last) {
        const tries = attempt > 1 ? ` (after ${attempt} attempts)` : '';
        throw new ApiError(`${outcome.message}${tries}`, method, path, outcome.status);
      }
      const wait = outcome.waitMs ?? this.options.backoffMs * 2 ** (attempt - 1);
      if (wait > this.options.maxWaitMs)
        throw new ApiError(
          `${outcome.message}, and CircleCI asks to wait ${Math.ceil(wait / 1000)} s before trying again: more than Carbon waits (${Math.round(this.options.maxWaitMs / 1000)} s); try again later`,
          method,
          path,
          outcome.status,
        );
      this.options.debug?.(`${method} ${path}: ${outcome.message}; retrying in ${wait} ms`);
      this.options.onWait?.(wait, outcome.message);
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  private async attempt(
    method: Method,
    path: string,
    body: unknown,
  ): Promise<
    | { kind: 'done'; text: string }
    | { kind: 'retry' | 'failed'; message: string; status?: number; waitMs?: number }
  > {
    const { baseUrl, token, timeoutMs, userAgent } = this.options;
    const started = performance.now();
    const v3 = this.options.dialect === 'v3';
    const headers: Record<string, string> = {
      ...(v3 ? { Authorization: `Bearer ${token}` } : { 'Circle-Token': token }),
      Accept: 'application/json',
      'User-Agent': userAgent,
    };
    if (body !== undefined)
      headers['Content-Type'] = v3 ? 'application/json; charset=utf-8' : 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${baseUrl.replace(/\/+$/, '')}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      text = await response.text();
    } catch (caught) {
      const timedOut = (caught as Error)?.name === 'TimeoutError';
      const message = timedOut
        ? `no answer from CircleCI within ${timeoutMs / 1000} s`
        : `CircleCI could not be reached: ${this.redact(describe(caught))}`;
      this.options.debug?.(`${method} ${path}: ${message}`);
      // A POST that timed out may have been carried out: sending it again could make a second
      // object. The next plan sees whatever happened and converges from there. A name that does
      // not resolve or a refused connection (no network, a wrong CARBON_CIRCLECI_URL) will not
      // answer a second time either.
      const final = method === 'POST' || unreachable(caught);
      return { kind: final ? 'failed' : 'retry', message };
    }
    const ms = Math.round(performance.now() - started);
    this.options.debug?.(`${method} ${path} -> ${response.status} in ${ms} ms`);
    if (response.ok) return { kind: 'done', text };
    // Redacted before it is cut: a token cut in two would no longer be recognised.
    const message = `${response.status} ${cut(this.redact(errorMessage(text)))}`;
    if (!RETRIED(response.status)) return { kind: 'failed', message, status: response.status };
    const waitMs = retryAfter(response.headers.get('retry-after'));
    return {
      kind: 'retry',
      message,
      status: response.status,
      ...(waitMs === undefined ? {} : { waitMs }),
    };
  }

  /** The text with every occurrence of the token, and every URL's credentials, replaced. */
  redact(text: string): string {
    return redact(text, this.options.token, 'CIRCLE_TOKEN');
  }
}

function parse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * CircleCI's errors: API v2's `{"message": "..."}`, API v3's `{"error": {"title", "detail"}}`
 * (said `title: detail`, as the CircleCI CLI says it); some answers are plain text.
 */
function errorMessage(text: string): string {
  const body = parse(text) as { message?: unknown; error?: { title?: unknown; detail?: unknown } };
  const v3 = body !== null && typeof body === 'object' ? body.error : undefined;
  const parts =
    v3 !== null && typeof v3 === 'object'
      ? [v3.title, v3.detail].filter((part) => typeof part === 'string' && part !== '')
      : [];
  const message =
    parts.length > 0
      ? parts.join(': ')
      : body !== null && typeof body === 'object' && typeof body.message === 'string'
        ? body.message
        : text.trim();
  return message.replace(/\s+/g, ' ') || '(no message)';
}

/** A message short enough for a line of a report. */
function cut(line: string): string {
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}

/** Retry-After in milliseconds: seconds, or an HTTP date. */
export function retryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** The network cannot reach the host at all: DNS has no answer, or nothing listens. */
function unreachable(caught: unknown): boolean {
  const code = ((caught as { cause?: { code?: unknown } })?.cause?.code ?? '') as string;
  return ['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH'].includes(code);
}

function describe(caught: unknown): string {
  if (!(caught instanceof Error)) return String(caught);
  const cause = (caught as { cause?: unknown }).cause;
  return cause instanceof Error ? `${caught.message} (${cause.message})` : caught.message;
}
