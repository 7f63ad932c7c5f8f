/**
 * An HTTP forwarder that adds a round trip's latency in front of a fake platform: real Telegram
 * and Discord answer in tens to hundreds of ms, the fakes on loopback in one or two. Used by
 * bench/unrecorded-sends.ts and, on the fakes' own thread, by bench/fake-platforms-worker.ts.
 */
import http from 'node:http';

/** Forwards HTTP to `target`, holding each request and each answer `latency / 2` ms. */
export async function delayingForwarder(target: string, latency: number): Promise<{ url: string; close(): Promise<void> }> {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2000 });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      setTimeout(() => {
        const out = http.request(
          { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers, agent },
          (answer) => {
            const body: Buffer[] = [];
            answer.on('data', (c: Buffer) => body.push(c));
            answer.on('end', () => setTimeout(() => {
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              res.end(Buffer.concat(body));
            }, latency / 2));
          },
        );
        out.on('error', () => res.destroy());
        out.end(Buffer.concat(chunks));
      }, latency / 2);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname === '/' ? '' : upstream.pathname}`,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
