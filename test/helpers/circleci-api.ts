// A strict stand-in for CircleCI's API v2 on 127.0.0.1: the endpoints Carbon uses, with the
// shapes, status codes and errors of CircleCI's API reference and of its official Terraform
// provider's client. Its state and rules are in circleci-store.ts (it refuses unknown fields,
// wrong types, schedules for GitHub App projects, refs where they must be omitted...); this part
// speaks HTTP: it checks the Circle-Token, logs every request, can be told to fail some (401,
// 403, 404, 429, 5xx, with Retry-After) or to answer them with a body of another shape, and with
// a delay shows how many are in flight at once. Below /api/v3 it serves the orb registry as the
// CircleCI CLI calls it (circleci-orbs.ts).
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OrbRegistryStore, type OrbAnswer } from './circleci-orbs.ts';
import { CircleCiStore, Refusal } from './circleci-store.ts';

export { ME, SYSTEM_ACTOR } from './circleci-store.ts';

export const STAND_IN_TOKEN = 'CCIPAT_standin0123456789abcdef';

export interface Logged {
  method: string;
  /** Path below the API v2 root (the whole path for API v3), with the query. */
  path: string;
  body?: unknown;
  status: number;
}

export interface Injection {
  method?: string;
  /** Matched against the path below the API root. */
  path?: RegExp;
  status: number;
  message?: string;
  retryAfter?: string;
  /** Matching requests let through before the injection starts. */
  after?: number;
  /** How many matching requests fail (default 1; Infinity for all). */
  times?: number;
  /**
   * Answer with this JSON body (and `status`) instead of CircleCI's: an answer of another shape,
   * as an API change or a proxy in between could give.
   */
  answer?: unknown;
}

export class CircleCiStandIn extends CircleCiStore {
  url = '';
  /** Milliseconds each request takes. */
  delayMs = 0;
  maxInFlight = 0;
  /** Requests received, counted on arrival (the log is written when they are answered). */
  arrivals = 0;
  readonly requests: Logged[] = [];
  /** The orb registry, served below /api/v3 as CircleCI serves it to its CLI. */
  readonly orbs = new OrbRegistryStore(STAND_IN_TOKEN);
  /** Requests received and not answered yet. */
  inFlight = 0;
  private injections: (Injection & { seen: number; failed: number })[] = [];
  private readonly server = createServer((req, res) => void this.handle(req, res));

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}/api/v2`;
    return this;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  inject(injection: Injection): void {
    this.injections.push({ ...injection, seen: 0, failed: 0 });
  }

  clearInjections(): void {
    this.injections = [];
  }

  /** The requests that change something. */
  changing(): Logged[] {
    return this.requests.filter((request) => request.method !== 'GET');
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.arrivals++;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const method = req.method ?? 'GET';
    const path = (req.url ?? '').replace(/^\/api\/v2/, '');
    let status = 500;
    let answer: unknown;
    let text: string | undefined;
    const headers: Record<string, string> = { 'Content-Type': 'application/json' };
    let body: unknown;
    const v3 = (req.url ?? '').startsWith('/api/v3/');
    try {
      if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      if (!v3 && !(req.url ?? '').startsWith('/api/v2/'))
        throw this.refuse(404, 'Not found', `${method} ${req.url}`);
      if (!v3) this.authenticate(req);
      if (raw !== '' && !v3) {
        if (!/^application\/json\b/.test(req.headers['content-type'] ?? ''))
          throw this.refuse(400, 'Content-Type must be application/json', `${method} ${path}`);
        try {
          body = JSON.parse(raw);
        } catch {
          throw this.refuse(400, 'Unexpected request body provided.', `${method} ${path}`);
        }
      }
      const injected = this.injected(method, path);
      if (injected?.answer !== undefined) {
        [status, answer] = [injected.status, injected.answer];
      } else if (injected) {
        if (injected.retryAfter !== undefined) headers['Retry-After'] = injected.retryAfter;
        throw new Refusal(injected.status, injected.message ?? defaultMessage(injected.status));
      } else if (v3) {
        body = parseOrNot(raw);
        ({ status, body: answer, text } = this.orbAnswer(method, path, req.headers, raw));
        if (text !== undefined) headers['Content-Type'] = 'text/plain';
      } else {
        [status, answer] = this.route(method, path, body);
      }
    } catch (caught) {
      if (!(caught instanceof Refusal)) throw caught;
      status = caught.status;
      // API v3 answers in its error envelope; a refused token as the CLI's fake answers it.
      answer =
        v3 && status !== 401
          ? { error: { title: STATUS_CODES[status], detail: caught.message } }
          : { message: caught.message };
    } finally {
      this.inFlight--;
    }
    this.requests.push({ method, path, ...(body === undefined ? {} : { body }), status });
    res.writeHead(status, headers);
    res.end(text ?? JSON.stringify(answer));
  }

  /** The orb registry's answer; what it refuses is logged with the rest. */
  private orbAnswer(
    method: string,
    path: string,
    headers: IncomingMessage['headers'],
    raw: string,
  ): OrbAnswer {
    try {
      return this.orbs.answer(method, path, headers, raw);
    } catch (caught) {
      if (caught instanceof Refusal)
        this.refused.push({ request: `${method} ${path}`, message: caught.message });
      throw caught;
    }
  }

  private authenticate(req: IncomingMessage): void {
    const token = req.headers['circle-token'];
    if (token === undefined) throw new Refusal(401, 'You must log in first.');
    if (token !== STAND_IN_TOKEN) throw new Refusal(401, 'Invalid token provided.');
  }

  private injected(method: string, path: string): Injection | undefined {
    for (const injection of this.injections) {
      if (injection.method && injection.method !== method) continue;
      if (injection.path && !injection.path.test(path)) continue;
      injection.seen++;
      if (injection.seen <= (injection.after ?? 0)) continue;
      if (injection.failed >= (injection.times ?? 1)) continue;
      injection.failed++;
      return injection;
    }
    return undefined;
  }
}

function parseOrNot(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

function defaultMessage(status: number): string {
  return (
    {
      401: 'Invalid token provided.',
      403: 'Permission denied.',
      404: 'Project not found',
      429: 'Rate limit exceeded.',
    }[status] ?? 'Internal server error.'
  );
}
