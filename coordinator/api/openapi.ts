/** The OpenAPI 3.1 document, generated from the route definitions. */
import { z } from "zod";
import { routes, type RouteDef } from "../../protocol/index.ts";

interface Operation {
  summary: string;
  security?: { bearer: [] }[];
  parameters?: unknown[];
  requestBody?: unknown;
  responses: Record<string, unknown>;
}

const schema = (s: z.ZodType, io: "input" | "output") => {
  try {
    return z.toJSONSchema(s, { io, unrepresentable: "any" });
  } catch {
    return {};
  }
};

export function openApiDocument() {
  const paths: Record<string, Record<string, Operation>> = {};
  for (const def of Object.values(routes) as RouteDef[]) {
    const path = def.path.replace(/:([a-z_]+)/g, "{$1}");
    const op: Operation = {
      summary: def.summary,
      responses: {
        "200": { description: "OK", content: { "application/json": { schema: schema(def.response, "output") } } },
        "4XX": { description: "Error: { statusCode, error, code, message, error_details }" },
      },
    };
    if (def.auth !== "none") op.security = [{ bearer: [] }];
    const params = [...def.path.matchAll(/:([a-z_]+)/g)].map((m) => ({
      name: m[1],
      in: "path",
      required: true,
      schema: { type: "string" },
    }));
    if (params.length) op.parameters = params;
    if (def.body)
      op.requestBody = { required: true, content: { "application/json": { schema: schema(def.body, "input") } } };
    paths[path] = { ...paths[path], [def.method.toLowerCase()]: op };
  }
  return {
    openapi: "3.1.0",
    info: { title: "SentinelIQ", version: "1" },
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    paths,
  };
}
