import http from 'node:http';
import https from 'node:https';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { VERSION } from '../../common/version.js';
import { parseJsonText } from './json-shape.js';
import { ProbeError } from './reading.js';

/** Status documents are a few KB and etcd's /metrics about 150 KB: far more is not a status answer. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

const gunzipAsync = promisify(gunzip);

export interface RequestOptions {
  /** Ends the request, including a body still arriving (the poll's timeout, or the agent stopping). */
  readonly signal: AbortSignal;
  readonly method?: 'GET' | 'POST';
  readonly body?: string;
  /** For https URLs: carries the client TLS settings. */
  readonly agent?: https.Agent;
}

export interface HttpResponse {
  /** `GET /path`, to name the request in errors. */
  readonly request: string;
  readonly status: number;
  readonly body: string;
}

function abortMessage(signal: AbortSignal): string {
  const reason = signal.reason as { name?: string } | undefined;
  return reason?.name === 'TimeoutError' ? 'no complete answer before the timeout' : 'request cancelled';
}

/**
 * One HTTP exchange with a monitored endpoint, on node:http so that etcd's client certificates can
 * ride on an https.Agent. Every failure (refused, reset, cut short by the signal, oversized) is a
 * ProbeError naming the request.
 */
export function request(url: URL, options: RequestOptions): Promise<HttpResponse> {
  const { signal, method = 'GET' } = options;
  const what = `${method} ${url.pathname}`;
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(new ProbeError(`${what}: ${abortMessage(signal)}`));
      return;
    }
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(url, {
      method,
      agent: url.protocol === 'https:' ? options.agent : undefined,
      headers: {
        accept: 'application/json, text/plain',
        'accept-encoding': 'gzip',
        'user-agent': `quorumwatch-agent/${VERSION}`,
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
    });
    let settled = false;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      req.destroy();
      reject(new ProbeError(`${what}: ${message}`));
    };
    const onAbort = () => fail(abortMessage(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => fail(err.message));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_BODY_BYTES) fail(`answer larger than ${MAX_BODY_BYTES} bytes`);
        else chunks.push(chunk);
      });
      res.on('error', (err) => fail(err.message));
      res.on('end', () => {
        decode(Buffer.concat(chunks), res.headers['content-encoding']).then(
          (body) => {
            if (settled) return;
            settled = true;
            signal.removeEventListener('abort', onAbort);
            resolve({ request: what, status: res.statusCode ?? 0, body });
          },
          (err: Error) => fail(err.message),
        );
      });
    });
    req.end(options.body);
  });
}

async function decode(raw: Buffer, encoding: string | undefined): Promise<string> {
  if (encoding !== 'gzip') return raw.toString('utf8');
  return (await gunzipAsync(raw, { maxOutputLength: MAX_BODY_BYTES })).toString('utf8');
}

/** The body of a 200 answer; any other status is a ProbeError quoting the start of the body. */
function okBody(res: HttpResponse): string {
  if (res.status !== 200) {
    const excerpt = res.body.trim().split('\n')[0]?.slice(0, 200) ?? '';
    throw new ProbeError(`${res.request}: HTTP ${res.status} ${excerpt}`.trim());
  }
  return res.body;
}

export function okJson(res: HttpResponse): unknown {
  const parsed = parseJsonText(okBody(res));
  if (!parsed.ok) throw new ProbeError(`${res.request}: ${parsed.error}`);
  return parsed.value;
}

export async function fetchText(url: URL, options: RequestOptions): Promise<string> {
  return okBody(await request(url, options));
}

export async function fetchJson(url: URL, options: RequestOptions): Promise<unknown> {
  return okJson(await request(url, options));
}

/** `path` (with its query) on the endpoint's base URL, keeping any path prefix the operator gave. */
export function endpoint(base: URL, path: string): URL {
  const url = new URL(base);
  const [pathname = '', search = ''] = path.split('?');
  url.pathname = `${base.pathname.replace(/\/+$/, '')}${pathname}`;
  url.search = search;
  return url;
}
