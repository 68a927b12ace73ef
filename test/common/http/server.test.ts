import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningHttpServer, sendJson, startHttpServer } from '../../../common/http/server.js';

describe('HTTP routes', () => {
  let server: RunningHttpServer;
  let base: string;
  beforeAll(async () => {
    server = await startHttpServer({
      listen: { host: '127.0.0.1', port: 0 },
      logger: pino({ level: 'silent' }),
      routes: {
        '/items/new': (_req, res) => sendJson(res, 200, { exact: true }),
        '/items/:id': { DELETE: (_req, res, params) => sendJson(res, 200, params) },
        '/items/:id/parts/:part': (_req, res, params) => sendJson(res, 200, params),
      },
    });
    base = `http://127.0.0.1:${server.address.port}`;
  });
  afterAll(() => server.close());

  const call = async (path: string, method = 'GET') => {
    const res = await fetch(`${base}${path}`, { method });
    return { status: res.status, body: res.status === 200 ? await res.json() : await res.text() };
  };

  it('passes the values of :name segments, decoded, to the handler', async () => {
    expect(await call('/items/4', 'DELETE')).toEqual({ status: 200, body: { id: '4' } });
    expect(await call('/items/a%20b', 'DELETE')).toEqual({ status: 200, body: { id: 'a b' } });
    expect(await call('/items/4/parts/x?y=1')).toEqual({ status: 200, body: { id: '4', part: 'x' } });
  });

  it('prefers an exact path, and applies the method map to parameter routes', async () => {
    expect(await call('/items/new')).toEqual({ status: 200, body: { exact: true } });
    expect((await call('/items/4')).status).toBe(405);
  });

  it.each(['/items/', '/items', '/items/4/parts', '/items/4/5', '/items/%zz'])(
    'answers 404 for %s',
    async (path) => {
      expect((await call(path, 'DELETE')).status).toBe(404);
    },
  );
});
