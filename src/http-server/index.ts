/**
 * The HTTP(S) server adapter shared by every endpoint Kubeward serves: a hardened node server
 * (TLS, timeouts, connection caps), bounded body reading and JSON answers.
 */
export {
  clientCertificateVerified,
  createHttpServer,
  listen,
  DEFAULT_MAX_CONNECTIONS,
  DEFAULT_MAX_CONNECTIONS_PER_SOURCE,
  HANDSHAKE_TIMEOUT_MS,
  type HttpServerOptions,
  type RequestHandler,
  type TlsOptions,
} from './server.js';
export { readBody, RequestBodyError, sendJson } from './body.js';
