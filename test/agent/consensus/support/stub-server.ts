import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the stub answers one request; `hang` never answers, `stall` sends headers and stops. */
export type StubAnswer =
  | { readonly kind: 'json'; readonly body: unknown }
  | { readonly kind: 'text'; readonly status: number; readonly body: string }
  | { readonly kind: 'hang' }
  | { readonly kind: 'stall' };

/**
 * A local HTTP server standing in for a monitored endpoint whose behaviour a test changes at will;
 * it counts the requests to each path, and the most it ever had open at once.
 */
export class StubServer {
  answer: (path: string) => StubAnswer = () => ({ kind: 'text', status: 404, body: 'not set' });
  readonly #requests = new Map<string, number>();
  readonly #open = new Map<string, number>();
  readonly #maxOpen = new Map<string, number>();
  readonly #server: http.Server;

  private constructor(server: http.Server) {
    this.#server = server;
  }

  static async start(): Promise<StubServer> {
    const server = http.createServer();
    const stub = new StubServer(server);
    server.on('request', (req, res) => stub.#handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return stub;
  }

  get url(): URL {
    return new URL(`http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`);
  }

  requestsTo(path: string): number {
    return this.#requests.get(path) ?? 0;
  }

  /** The most requests to `path` that were open at the same time. */
  maxOpen(path: string): number {
    return this.#maxOpen.get(path) ?? 0;
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    this.#requests.set(path, this.requestsTo(path) + 1);
    const open = (this.#open.get(path) ?? 0) + 1;
    this.#open.set(path, open);
    this.#maxOpen.set(path, Math.max(this.maxOpen(path), open));
    res.on('close', () => this.#open.set(path, (this.#open.get(path) ?? 1) - 1));
    const answer = this.answer(path);
    switch (answer.kind) {
      case 'json':
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
        return;
      case 'text':
        res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body);
        return;
      case 'hang':
        return;
      case 'stall':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"id": 1, ');
        return;
    }
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}
