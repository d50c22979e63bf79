/**
 * The API's documentation: the OpenAPI document at `/docs/json` (and, as
 * before, `/docs/openapi.json`; `/docs/yaml` too) and an interactive Swagger
 * UI at `/docs`, served from the package's own assets so it works offline.
 */
import fastifySwagger from "@fastify/swagger";
import fastifySwaggerUi from "@fastify/swagger-ui";
import type { FastifyInstance } from "fastify";
import type { OpenAPIV3 } from "openapi-types";
import { openApiDocument } from "./openapi.ts";

/** Only our own origin: no CDN, no validator.swagger.io, nothing inline but styles swagger-ui sets. */
const CSP =
  "default-src 'self'; base-uri 'self'; connect-src 'self'; font-src 'self' data:; form-action 'self'; " +
  "frame-ancestors 'none'; img-src 'self' data:; object-src 'none'; script-src 'self'; " +
  "script-src-attr 'none'; style-src 'self' 'unsafe-inline'";

export function registerDocs(app: FastifyInstance): void {
  const document = openApiDocument();
  // The plugin's types stop at OpenAPI 3.0; it serves a 3.1 document unchanged.
  const specification = { document: document as unknown as OpenAPIV3.Document };
  void app.register(fastifySwagger, { mode: "static", specification });
  void app.register(fastifySwaggerUi, {
    routePrefix: "/docs",
    staticCSP: CSP,
    theme: { title: "SentinelIQ API" },
    uiConfig: { docExpansion: "list", deepLinking: true, tryItOutEnabled: false },
  });
  app.get("/docs/openapi.json", (_req, reply) => reply.send(document));
}
