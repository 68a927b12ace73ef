import http from 'node:http';
import type { Duplex } from 'node:stream';
import { FatalError } from '../config/errors.js';
import { formatListenAddress, type ListenAddress } from '../config/listen.js';
import type { Logger } from '../log.js';

/** `params` holds the values of the route's `:name` segments (empty for exact routes). */
export type Handler = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  params: Readonly<Record<string, string>>,
) => void | Promise<void>;

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
/** A handler serves GET (and HEAD); a method map serves the methods it names. */
export type Route = Handler | Readonly<Partial<Record<Method, Handler>>>;

export interface HttpServerOptions {
  readonly listen: ListenAddress;
  /** Path → route; a segment written `:name` (as in /items/:id) matches any one non-empty segment. */
  readonly routes: Readonly<Record<string, Route>>;
  readonly logger: Logger;
  /** Takes over an HTTP upgrade (the collectors' Raft WebSocket); returns false to refuse it. */
  readonly onUpgrade?: (req: http.IncomingMessage, socket: Duplex, head: Buffer) => boolean;
}

export interface RunningHttpServer {
  /** The bound address (the real port when 0 was asked for). */
  readonly address: ListenAddress;
  close(): Promise<void>;
}

/** Why a listen failed, in words an operator can act on. */
export class ListenError extends FatalError {
  override name = 'ListenError';
}

interface RouteMatch {
  readonly route: Route;
  readonly params: Record<string, string>;
}

/** Exact paths are looked up directly; paths with `:name` segments are tried in order. */
function routeMatcher(routes: Readonly<Record<string, Route>>): (path: string) => RouteMatch | undefined {
  const patterns = Object.entries(routes)
    .filter(([key]) => key.includes('/:'))
    .map(([key, route]) => ({ segments: key.split('/'), route }));
  return (path) => {
    const exact = routes[path];
    if (exact) return { route: exact, params: {} };
    const parts = path.split('/');
    for (const { segments, route } of patterns) {
      if (segments.length !== parts.length) continue;
      const params: Record<string, string> = {};
      const matches = segments.every((segment, i) => {
        const part = parts[i] as string;
        if (!segment.startsWith(':')) return segment === part;
        const value = decodeSegment(part);
        if (value === undefined || value === '') return false;
        params[segment.slice(1)] = value;
        return true;
      });
      if (matches) return { route, params };
    }
    return undefined;
  };
}

function decodeSegment(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined; // a malformed %-escape names no resource
  }
}

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const { logger } = options;
  const match = routeMatcher(options.routes);
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const found = match(path);
    if (!found) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
      return;
    }
    const { route, params } = found;
    const methods: Partial<Record<Method, Handler>> = typeof route === 'function' ? { GET: route } : route;
    const method = (req.method === 'HEAD' ? 'GET' : req.method) as Method;
    const handler = methods[method];
    if (!handler) {
      const allow = Object.keys(methods).flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m]));
      res
        .writeHead(405, { allow: allow.join(', '), 'content-type': 'text/plain; charset=utf-8' })
        .end('method not allowed\n');
      return;
    }
    Promise.resolve(handler(req, res, params)).catch((err: unknown) => {
      logger.error({ err: (err as Error).message, path }, 'request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('internal error\n');
    });
  });
  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!options.onUpgrade?.(req, socket, head)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    }
  });
  // Prometheus keeps scrape connections alive between scrapes (15 s by default): outlast that.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const where = formatListenAddress(options.listen);
      const reason =
        err.code === 'EADDRINUSE'
          ? 'address already in use (is another agent or exporter running on this port?)'
          : err.code === 'EACCES'
            ? 'permission denied'
            : err.code === 'EADDRNOTAVAIL'
              ? 'address not available on this host'
              : err.message;
      reject(new ListenError(`cannot listen on ${where}: ${reason}`));
    });
    server.listen(options.listen.port, options.listen.host, () => resolve());
  });
  const bound = server.address();
  const address =
    typeof bound === 'object' && bound ? { host: bound.address, port: bound.port } : options.listen;
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/** Raised by readBody for a body over its limit; handlers answer 413. */
export class BodyTooLargeError extends Error {
  override name = 'BodyTooLargeError';
}

/** Reads a request body up to `limitBytes`, failing early (without buffering the rest) past it. */
export function readBody(req: http.IncomingMessage, limitBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limitBytes) {
      reject(new BodyTooLargeError(`request body of ${declared} bytes exceeds the limit of ${limitBytes}`));
      req.resume();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        reject(new BodyTooLargeError(`request body exceeds the limit of ${limitBytes} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Writes a JSON answer. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
