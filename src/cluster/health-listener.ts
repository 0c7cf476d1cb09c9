// The HTTP endpoints of a node without the API (ingest or worker only): GET /healthz answers what the
// node runs, for a load balancer or an orchestrator's probe, and GET /metrics (when enabled, with its
// token) is what Prometheus scrapes. Plain node:http, loopback or the configured host; nothing else is
// served, so the API never leaks onto an ingest box.

import { createServer, type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { metricsTokenMatches, type MetricsEndpoint } from '../http/metrics.routes.js';

export class HealthListener {
  readonly #server: Server;
  readonly #host: string;
  readonly #port: number;
  #url = '';

  constructor(host: string, port: number, metrics: MetricsEndpoint | undefined, report: () => Promise<unknown>) {
    this.#host = host;
    this.#port = port;
    this.#server = createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/metrics' && metrics) return serveMetrics(metrics, req, res);
      if (req.method !== 'GET' || req.url !== '/healthz') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"ROUTE_NOT_FOUND"}}');
        return;
      }
      report().then(
        (body) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
        (err: unknown) => res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'error', error: (err as Error).message })),
      );
    });
  }

  get url(): string {
    return this.#url;
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#port, this.#host, () => resolve());
    });
    const { port } = this.#server.address() as { port: number };
    this.#url = `http://${this.#host.includes(':') ? `[${this.#host}]` : this.#host}:${port}`;
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

function serveMetrics(m: MetricsEndpoint, req: IncomingMessage, res: ServerResponse): void {
  if (m.token !== null && !metricsTokenMatches(m.token, req.headers.authorization)) {
    res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer realm="metrics"' }).end('{"error":{"code":"METRICS_TOKEN_INVALID"}}');
    return;
  }
  m.text().then(
    (text) => res.writeHead(200, { 'content-type': m.contentType, 'cache-control': 'no-store' }).end(text),
    () => res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":"INTERNAL"}}'),
  );
}
