/** Central's HTTP API (Fastify on the shared HTTP server adapter). */
export { bootstrapAdminToken, buildApi } from './app.js';
export type { ApiOptions } from './context.js';
export { hashSecret, newTokenSecret, PERMISSIONS } from './auth.js';
