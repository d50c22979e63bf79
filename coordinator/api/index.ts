/** The HTTP API: the Fastify server built from the route table, and who is asking (API keys). */
export { ApiKeys, mayActFor, requireAgent, type Principal, type StoredKeys, type UserPrincipal } from "./auth.ts";
export type { UserAuthenticator } from "./user-auth.ts";
export { buildServer, type ClientInfo, type Handlers, type Reply } from "./server.ts";
export { HttpConfig } from "./edge-config.ts";
