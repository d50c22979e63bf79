/**
 * The OpenAPI 3.1 document, generated from the route definitions
 * (`protocol/routes.ts`) and their zod schemas: path and query parameters,
 * request bodies, the answer of each status (every error in the one error
 * shape, narrowed to the codes that route can give), who may call it, tags.
 */
import { STATUS_CODES } from "node:http";
import type { OpenAPIV3_1 as O } from "openapi-types";
import { z } from "zod";
import { routes, wireErrorSchema, WireErrorSchema, type RouteDef } from "../../protocol/index.ts";
import { routeErrors } from "./route-errors.ts";

type Schema = O.SchemaObject;

/** Fastify's wildcard `*` is named here, since an OpenAPI path template needs a name. */
export const WILDCARD_PARAM = "path";

/** The OpenAPI path of a route: `:name` → `{name}`, a trailing `*` → `{path}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([a-z_]+)/g, "{$1}").replace(/\*$/, `{${WILDCARD_PARAM}}`);
}

export function jsonSchema(s: z.ZodType, io: "input" | "output"): Schema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: "any" });
  return rest as Schema;
}

const TAGS: O.TagObject[] = [
  { name: "payments", description: "Payments, their challenges and receipts (agents)" },
  { name: "challenges", description: "Step-ups confirmed or declined out of band (approvers of the organisation)" },
  { name: "events", description: "Authentication and behaviour events (agents)" },
  { name: "audit", description: "tAudit: the registry of audited payment code (agents submit, auditors decide)" },
  { name: "log", description: "The verdict log: RFC 6962 / C2SP tlog, public" },
  { name: "auth", description: "Operator accounts: registration, login, tokens, email flows" },
  { name: "users", description: "The signed-in person" },
  { name: "admin", description: "An organisation's people (owners and admins)" },
  { name: "keys", description: "An organisation's agent API keys: create, list, rotate, revoke (owners and admins)" },
  { name: "analytics", description: "An organisation's payment figures over time (its people and agent keys)" },
  { name: "operations", description: "Liveness and readiness" },
];

const tagOf = (path: string): string => {
  const area = /^\/v1\/([a-z]+)/.exec(path)?.[1];
  return TAGS.some((t) => t.name === area) ? area! : "operations";
};

const SECURITY: Record<RouteDef["auth"], O.SecurityRequirementObject[]> = {
  agent: [{ agentKey: [] }],
  auditor: [{ auditorKey: [] }],
  operator: [{ operatorKey: [] }],
  approver: [{ approverKey: [] }],
  any: [{ agentKey: [] }, { auditorKey: [] }],
  user: [{ accessToken: [] }],
  none: [],
};

function parameters(def: RouteDef): O.ParameterObject[] {
  const of = (s: z.ZodType | undefined, where: "path" | "query"): O.ParameterObject[] => {
    if (!s) return [];
    const js = jsonSchema(s, "input");
    const required = new Set(js.required ?? []);
    return Object.entries(js.properties ?? {}).map(([name, schema]) => ({
      name: name === "*" ? WILDCARD_PARAM : name,
      in: where,
      required: where === "path" || required.has(name),
      schema: schema as O.ParameterObject["schema"],
      ...(name === "*" ? { description: "The rest of the path (may contain /)" } : {}),
    }));
  };
  const requestId: O.ParameterObject = {
    name: "X-Request-Id",
    in: "header",
    required: false,
    description: "Your id for the request, echoed and logged (by the validators too); otherwise one is made",
    schema: { type: "string", pattern: "^[A-Za-z0-9._:@-]{1,128}$" },
  };
  return [...of(def.params, "path"), ...of(def.query, "query"), requestId];
}

function success(def: RouteDef): O.ResponseObject {
  const type = def.produces ?? "application/json";
  const schema: Schema =
    type === "application/json"
      ? jsonSchema(def.response, "output")
      : { type: "string", ...(type === "text/plain" ? {} : { contentMediaType: type }) };
  return { description: STATUS_CODES[200]!, headers: { ...REQUEST_ID }, content: { [type]: { schema } } };
}

/** The codes whose answers say when to try again (`Retry-After`, from SiqError's retryAfterSeconds). */
const RETRY_AFTER: ReadonlySet<string> = new Set(["ACCOUNT_LOCKED", "LOGIN_UNDECIDED"]);
const retryAfter: Record<string, O.HeaderObject> = {
  "Retry-After": { description: "Seconds to wait before trying again", schema: { type: "integer", minimum: 0 } },
};

/** Every answer names its request (the client's well-formed X-Request-Id, or a new one). */
const REQUEST_ID: Record<string, O.HeaderObject> = {
  "X-Request-Id": {
    description: "The request's id: the one sent (1-128 of A-Z a-z 0-9 . _ : @ -), or a new UUID",
    schema: { type: "string" },
  },
};

const ERROR_HEADERS: Record<number, Record<string, O.HeaderObject>> = {
  401: { "WWW-Authenticate": { description: 'Bearer realm="sentineliq" (RFC 6750)', schema: { type: "string" } } },
  429: { "Retry-After": { description: "Seconds until the limit's window resets", schema: { type: "integer" } } },
};

function responses(def: RouteDef): O.ResponsesObject {
  const out: O.ResponsesObject = { "200": success(def) };
  for (const status of def.alsoAnswers ?? [])
    out[String(status)] = { ...success(def), description: STATUS_CODES[status]! };
  for (const [status, codes] of routeErrors(def)) {
    out[String(status)] = {
      description: `${STATUS_CODES[status]}: ${codes.join(", ")}`,
      headers: {
        ...REQUEST_ID,
        ...ERROR_HEADERS[status],
        ...(codes.some((c) => RETRY_AFTER.has(c)) ? retryAfter : {}),
      },
      content: { "application/json": { schema: jsonSchema(wireErrorSchema(codes, status), "output") } },
    };
  }
  return out;
}

function operation(name: string, def: RouteDef): O.OperationObject {
  const params = parameters(def);
  return {
    operationId: name,
    summary: def.summary,
    tags: [tagOf(def.path)],
    security: def.agents ? [...SECURITY[def.auth], ...SECURITY.agent] : SECURITY[def.auth],
    "x-siq-auth": def.auth,
    ...(def.agents ? { "x-siq-agents": true } : {}),
    ...(def.roles ? { "x-siq-roles": def.roles } : {}),
    ...(params.length ? { parameters: params } : {}),
    ...(def.body
      ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(def.body, "input") } } } }
      : {}),
    responses: responses(def),
  } as O.OperationObject;
}

let built: O.Document | undefined;

/** The document (built once: the definitions are constants). */
export function openApiDocument(): O.Document {
  return (built ??= buildDocument());
}

function buildDocument(): O.Document {
  const paths: O.PathsObject = {};
  for (const [name, def] of Object.entries(routes) as [string, RouteDef][]) {
    const path = openApiPath(def.path);
    paths[path] = { ...paths[path], [def.method.toLowerCase()]: operation(name, def) };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "SentinelIQ",
      version: "1",
      description:
        "Distributed risk control for payments. Every error answers with the one shape `Error`; " +
        "each operation lists the codes it can give. Every answer carries X-Request-Id and the security " +
        "headers; any request may be refused with 421 UNTRUSTED_HOST (a Host not served) or 429 RATE_LIMITED " +
        "(with Retry-After).",
    },
    tags: TAGS,
    components: {
      securitySchemes: {
        agentKey: {
          type: "http",
          scheme: "bearer",
          description: "An agent's API key, issued for the agent ids it may act for",
        },
        approverKey: {
          type: "http",
          scheme: "bearer",
          description: "An approver's key: a person of the organisation who confirms or declines step-ups",
        },
        auditorKey: { type: "http", scheme: "bearer", description: "An auditor's API key" },
        operatorKey: { type: "http", scheme: "bearer", description: "An operator's API key" },
        accessToken: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "A person's access token (POST /v1/auth/login; EdDSA, keys at /.well-known/jwks.json)",
        },
      },
      schemas: { Error: jsonSchema(WireErrorSchema, "output") },
    },
    paths,
  };
}
