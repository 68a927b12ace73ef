import type http from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { accepts } from '../http/accept.js';
import type { Handler } from '../http/server.js';
import { contentType, encode, negotiateFormat } from './exposition.js';
import type { MetricFamily } from './family.js';

const gzipAsync = promisify(gzip);

function byName(a: MetricFamily, b: MetricFamily): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * GET /metrics: the gathered families sorted by name (as client_golang's gatherer sorts them), in
 * the format the scraper asked for, gzipped when it accepts gzip (Prometheus does).
 */
export function metricsEndpoint(gather: () => Promise<MetricFamily[]>): Handler {
  return async (req, res) => {
    const families = (await gather()).sort(byName);
    const format = negotiateFormat(req.headers.accept);
    const body = encode(families, format);
    const gzipped = accepts(req.headers['accept-encoding'], 'gzip');
    const payload = gzipped ? await gzipAsync(body) : Buffer.from(body);
    const headers: http.OutgoingHttpHeaders = {
      'content-type': contentType(format),
      vary: 'Accept-Encoding',
      'content-length': payload.length,
    };
    if (gzipped) headers['content-encoding'] = 'gzip';
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : payload);
  };
}
