/** The HTTP API: the Fastify server built from the route table, and who is asking (API keys). */
export { ApiKeys, mayActFor, requireAgent, type Principal } from "./auth.ts";
export { buildServer, type Handlers, type Reply } from "./server.ts";
