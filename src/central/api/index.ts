/** Central's HTTP API (Fastify on the shared HTTP server adapter). */
export { bootstrapAdminToken, buildApi, type ApiOptions } from './app.js';
export { hashSecret, newTokenSecret, PERMISSIONS } from './auth.js';
