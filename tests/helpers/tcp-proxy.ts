import net from 'node:net';

/** A TCP proxy in the test process that can be cut (a database server gone) and restored. */
export interface TcpProxy {
  /** The port it listens on (127.0.0.1). */
  port: number;
  /** Ends every connection through it and refuses new ones (connections are reset, like a server that died). */
  cut(): void;
  /** Accepts and forwards connections again. */
  restore(): void;
  /**
   * Stops forwarding without closing anything, as a network that drops packets silently: what
   * either side sends from now on is lost, on the connections open now (for good: their streams
   * have lost bytes) and on new ones accepted meanwhile. Closes still pass through.
   */
  dropSilently(): void;
  /** New connections are forwarded again (those open during the drop stay dead). */
  forwardAgain(): void;
  /** Connections forwarded so far. */
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * Forwards 127.0.0.1:<port> to `target`. While cut, the listening socket stays open but every
 * connection is reset at once, so a client sees ECONNRESET / "Connection terminated" as after a
 * database restart, and the port is never taken by someone else meanwhile.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let open = true;
  let silent = false;
  /** Connections accepted during a silent drop: never forwarded. */
  const limbo = new Set<net.Socket>();
  let connections = 0;
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket; dead: boolean }>();
  const server = net.createServer((client) => {
    client.on('error', () => undefined);
    if (!open) {
      client.resetAndDestroy();
      return;
    }
    if (silent) {
      // Accepted by nobody that answers: whatever it sends is lost.
      limbo.add(client);
      client.on('close', () => limbo.delete(client));
      client.resume();
      return;
    }
    connections++;
    const upstream = net.connect(target.port, target.host);
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
    const pair = { client, upstream, dead: false };
    pairs.add(pair);
    const drop = (): void => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', drop);
    upstream.on('close', drop);
    client.on('data', (chunk: Buffer) => {
      if (!pair.dead) upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!pair.dead) client.write(chunk);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const cut = (): void => {
    open = false;
    for (const { client, upstream } of [...pairs]) {
      client.resetAndDestroy();
      upstream.destroy();
    }
    pairs.clear();
    for (const socket of limbo) socket.resetAndDestroy();
    limbo.clear();
  };
  return {
    port,
    get connections() {
      return connections;
    },
    cut,
    restore() {
      open = true;
    },
    dropSilently() {
      silent = true;
      for (const pair of pairs) pair.dead = true;
    },
    forwardAgain() {
      silent = false;
    },
    async close() {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** `url` with its host and port replaced by the proxy's. */
export function throughProxy(url: string, proxy: TcpProxy): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(proxy.port);
  return parsed.toString();
}
