import { createServer as createPlainServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';

export interface TlsOptions {
  readonly cert: Buffer | string;
  readonly key: Buffer | string;
  /**
   * When set, clients are asked for a certificate signed by this CA but not refused at the
   * handshake: probes present none, and the handler decides which paths need one
   * (`clientCertificateVerified`).
   */
  readonly clientCa?: Buffer | string;
}

export interface HttpServerOptions {
  /** HTTPS when given, plain HTTP otherwise. */
  readonly tls?: TlsOptions;
  /** Connections open at once, in all and from one address: beyond them new ones are closed at once. */
  readonly maxConnections?: number;
  readonly maxConnectionsPerSource?: number;
  /** A request's headers must arrive within this. */
  readonly headersTimeoutMs?: number;
  /** A whole request must arrive within this. */
  readonly requestTimeoutMs?: number;
  /** A socket that sends nothing for this long, before or between requests, is closed. */
  readonly idleTimeoutMs?: number;
  /** Things the operator should know that are not a request's fault (connection caps reached). */
  readonly onError: (message: string) => void;
}

export type RequestHandler = (request: IncomingMessage, response: ServerResponse) => void;

export const DEFAULT_MAX_CONNECTIONS = 2048;
export const DEFAULT_MAX_CONNECTIONS_PER_SOURCE = 256;
/** A TLS handshake must be done within this (Node waits two minutes by default). */
export const HANDSHAKE_TIMEOUT_MS = 5000;

/** Counts connections per remote address and closes those past the cap, saying so once per episode. */
const capConnectionsPerSource = (server: Server, cap: number, onError: (message: string) => void): void => {
  const perSource = new Map<string, number>();
  let refusedSince = 0;
  server.on('connection', (socket: Socket) => {
    const source = socket.remoteAddress ?? '';
    const open = (perSource.get(source) ?? 0) + 1;
    if (open > cap) {
      if (refusedSince++ === 0) onError(`more than ${cap} connections from ${source}; new ones are closed until some end`);
      socket.destroy();
      return;
    }
    perSource.set(source, open);
    socket.once('close', () => {
      const left = (perSource.get(source) ?? 1) - 1;
      if (left <= 0) perSource.delete(source);
      else perSource.set(source, left);
      if (left < cap) refusedSince = 0;
    });
  });
};

/**
 * The one HTTP(S) server every Kubeward endpoint runs on (the admission webhook, the central
 * server): TLS 1.2 or later, keep-alive, and the limits that keep a slow or greedy client from
 * holding the process (header, request and idle timeouts; connection caps in all and per
 * address). Not listening yet: `listen` starts it, or a framework adopts it.
 */
export const createHttpServer = (options: HttpServerOptions, handler: RequestHandler): Server => {
  const common = { noDelay: true, keepAlive: true };
  const server: Server = options.tls
    ? createTlsServer(
        {
          ...common,
          cert: options.tls.cert,
          key: options.tls.key,
          minVersion: 'TLSv1.2',
          handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
          ...(options.tls.clientCa ? { ca: options.tls.clientCa, requestCert: true, rejectUnauthorized: false } : {}),
        },
        handler,
      )
    : createPlainServer(common, handler);
  server.headersTimeout = options.headersTimeoutMs ?? 10_000;
  server.requestTimeout = options.requestTimeoutMs ?? 30_000;
  // Idle connections cost file descriptors the clients that matter need.
  server.setTimeout(options.idleTimeoutMs ?? 30_000, (socket) => socket.destroy());
  server.maxConnections = options.maxConnections ?? DEFAULT_MAX_CONNECTIONS;
  capConnectionsPerSource(server, options.maxConnectionsPerSource ?? DEFAULT_MAX_CONNECTIONS_PER_SOURCE, options.onError);
  return server;
};

/** Starts a server on host:port (port 0 picks a free one) and resolves with the port it got. */
export const listen = (server: Server, port: number, host: string): Promise<number> =>
  new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });

/** Whether the request came with a client certificate the server's `clientCa` signed. */
export const clientCertificateVerified = (request: IncomingMessage): boolean => (request.socket as Partial<TLSSocket>).authorized === true;
