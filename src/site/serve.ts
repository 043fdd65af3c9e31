// `carbon site --serve`: the site on http://127.0.0.1, rebuilt when a settings file changes, and
// every open page reloaded after a successful rebuild (server-sent events). Pages link the
// generated configs as ../../generated/...; the server answers those from the workspace too.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import type { SiteResult } from './site.ts';

export interface ServeRequest {
  root: string;
  out: string;
  rebuild: () => Promise<SiteResult>;
  /** Default 4780; when that is taken, any free port. */
  port?: number;
}

export interface SiteServer {
  url: string;
  close: () => Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.yml': 'text/plain; charset=utf-8',
  '.json': 'application/json',
};

const RELOAD_PATH = '/__carbon/reload';
const RELOAD_SCRIPT = `new EventSource('${RELOAD_PATH}').onmessage = () => location.reload();\n`;

export async function serveSite(request: ServeRequest): Promise<SiteServer> {
  const clients = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    let path: string;
    try {
      path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    } catch {
      return send(res, 400, '.txt', 'bad request\n');
    }
    if (path === RELOAD_PATH) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write(': connected\n\n');
      clients.add(res);
      req.on('close', () => clients.delete(res));
      return;
    }
    if (path === `${RELOAD_PATH}.js`) return send(res, 200, '.js', RELOAD_SCRIPT);
    const [base, rest] = path.startsWith('/generated/')
      ? [join(request.root, 'generated'), path.slice('/generated/'.length)]
      : [request.out, path.endsWith('/') ? `${path}index.html` : path];
    const file = normalize(join(base, rest));
    if (file !== base && !file.startsWith(base + sep)) return send(res, 404, '.txt', 'not found\n');
    readFile(file).then(
      (bytes) => {
        const text = extname(file) === '.html' ? withReload(bytes.toString('utf8')) : bytes;
        send(res, 200, extname(file), text);
      },
      () => send(res, 404, '.txt', 'not found\n'),
    );
  });
  const port = await listen(server, request.port ?? 4780);

  let timer: NodeJS.Timeout | undefined;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const result = await request.rebuild();
      if (result.written) for (const client of clients) client.write('data: reload\n\n');
    }, 150);
  };
  const watchers: FSWatcher[] = [
    watch(join(request.root, 'projects'), { recursive: true }, changed),
    watch(request.root, (_, name) => {
      if (name === 'carbon.config.ts') changed();
    }),
  ];
  return {
    url: `http://127.0.0.1:${port}/`,
    close: async () => {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
      for (const client of clients) client.end();
      const closed = new Promise<void>((done) => server.close(() => done()));
      // Browsers keep idle connections open: end them, or close would wait for their timeout.
      server.closeAllConnections();
      await closed;
    },
  };
}

function withReload(page: string): string {
  return page.replace('</body>', `<script src="${RELOAD_PATH}.js" defer></script>\n</body>`);
}

function send(res: ServerResponse, status: number, extension: string, body: string | Buffer): void {
  res.writeHead(status, {
    'content-type': TYPES[extension] ?? 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(body);
}

function listen(server: ReturnType<typeof createServer>, port: number): Promise<number> {
  return new Promise((done, fail) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' && port !== 0) done(listen(server, 0));
      else fail(error);
    });
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      done(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Resolves on Ctrl-C (or SIGTERM): how a served site is stopped from the command line. */
export function signalled(): Promise<void> {
  return new Promise((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
}
