/**
 * `/docs` is an interactive page served from our own assets, and
 * `/docs/json` a valid OpenAPI 3.1 document that lists every route of the
 * definitions with its parameters, body, answers, errors and who may call it.
 */
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OpenAPIV3_1 as O } from "openapi-types";
import { z } from "zod";
import { ErrorCodes, routes, SiqError, type ErrorCode, type RouteDef } from "../../protocol/index.ts";
import { newAjv, openApiErrors } from "../../test/helpers/openapi.ts";
import { ApiKeys } from "./auth.ts";
import { openApiPath } from "./openapi.ts";
import { buildServer, type Handlers } from "./server.ts";

const handlers = Object.fromEntries(
  Object.keys(routes).map((name) => [name, () => Promise.resolve({ body: { status: "ok" } })]),
) as unknown as Handlers;

/** An object schema's fields (through a transform: the fields it reads). */
const shapeOf = (s: z.ZodType | undefined): Record<string, z.ZodType> =>
  s instanceof z.ZodObject ? s.shape : s instanceof z.ZodPipe ? shapeOf(s.in as z.ZodType) : {};

describe("API documentation", () => {
  let app: FastifyInstance;
  let doc: O.Document;
  beforeAll(async () => {
    app = buildServer({
      bodyLimitBytes: 64 * 1024,
      apiKeys: new ApiKeys([]),
      handlers,
      metricsText: () => Promise.resolve(""),
      onInternalError: () => {},
    });
    doc = (await app.inject({ url: "/docs/json" })).json();
  });
  afterAll(async () => {
    await app?.close();
  });

  it("serves an interactive page at /docs whose every asset is ours (it works offline)", async () => {
    const page = await app.inject({ url: "/docs" });
    expect(page.statusCode).toBe(200);
    expect(page.headers["content-type"]).toMatch(/^text\/html/);
    expect(page.payload).toContain('<div id="swagger-ui">');
    expect(page.payload).toContain("<title>SentinelIQ API</title>");
    const assets = [...page.payload.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toContain("/docs/static/swagger-ui-bundle.js");
    for (const url of assets) {
      expect(url.startsWith("/docs/static/")).toBe(true);
      expect((await app.inject({ url })).statusCode).toBe(200);
    }
    const csp = String(page.headers["content-security-policy"]);
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toMatch(/https?:|\*\.|validator/);
    const init = await app.inject({ url: "/docs/static/swagger-initializer.js" });
    expect(init.payload).toContain("resolveUrl('./json')");
  });

  it("lists 421 and 429 (with Retry-After) on every operation, and X-Request-Id on every answer", () => {
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>))
      for (const [method, op] of Object.entries<any>(ops)) {
        const where = `${method} ${path}`;
        expect(op.responses["421"]?.description, where).toContain("UNTRUSTED_HOST");
        expect(op.responses["429"]?.headers?.["Retry-After"], where).toBeDefined();
        for (const r of Object.values<any>(op.responses)) expect(r.headers?.["X-Request-Id"], where).toBeDefined();
        if (op.responses["401"]) expect(op.responses["401"].headers["WWW-Authenticate"], where).toBeDefined();
        expect(
          op.parameters.some((p: any) => p.in === "header" && p.name === "X-Request-Id"),
          where,
        ).toBe(true);
      }
  });

  it("serves no file outside its assets", async () => {
    for (const url of ["/docs/static/../../package.json", "/docs/static/%2e%2e/%2e%2e/package.json"]) {
      const res = await app.inject({ url });
      expect(res.statusCode).toBe(404);
      expect(res.payload).not.toContain('"dependencies"');
    }
  });

  it("serves a valid OpenAPI 3.1 document at /docs/json, the same at /docs/openapi.json", async () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(openApiErrors(doc)).toEqual([]);
    expect((await app.inject({ url: "/docs/openapi.json" })).json()).toEqual(doc);
    expect((await app.inject({ url: "/docs/yaml" })).statusCode).toBe(200);
  });

  it("lists every route with its path and query parameters, body, answer, tag and security", () => {
    for (const [name, def] of Object.entries(routes) as [string, RouteDef][]) {
      const op = doc.paths?.[openApiPath(def.path)]?.[def.method.toLowerCase() as O.HttpMethods];
      expect(op, name).toBeDefined();
      expect(op!.operationId).toBe(name);
      expect(op!.summary).toBe(def.summary);
      expect(op!.tags).toHaveLength(1);
      const params = (op!.parameters ?? []) as O.ParameterObject[];
      const listed = (where: string) => params.filter((p) => p.in === where).map((p) => [p.name, p.required]);
      const pathNames = Object.keys(shapeOf(def.params)).map((k) => [k === "*" ? "path" : k, true]);
      expect(listed("path"), name).toEqual(pathNames);
      const query = Object.entries(shapeOf(def.query)).map(([k, s]) => [k, !s.safeParse(undefined).success]);
      expect(listed("query"), name).toEqual(query);
      expect(op!.requestBody !== undefined, name).toBe(def.body !== undefined);
      const ok = op!.responses["200"] as O.ResponseObject;
      expect(Object.keys(ok.content ?? {}), name).toEqual([def.produces ?? "application/json"]);
      const security = {
        none: [],
        agent: [{ agentKey: [] }],
        auditor: [{ auditorKey: [] }],
        operator: [{ operatorKey: [] }],
        user: [{ accessToken: [] }],
        approver: [{ approverKey: [] }],
      }[def.auth as string];
      const expected = security ?? [{ agentKey: [] }, { auditorKey: [] }];
      expect(op!.security, name).toEqual(def.agents ? [...expected, { agentKey: [] }] : expected);
    }
    expect(Object.keys(doc.components!.securitySchemes!)).toEqual([
      "agentKey",
      "approverKey",
      "auditorKey",
      "operatorKey",
      "accessToken",
    ]);
  });

  it("declares a bearer security scheme on every route that takes a principal: access tokens for people, keys for the rest", () => {
    const schemes = doc.components!.securitySchemes! as Record<string, O.HttpSecurityScheme>;
    for (const [name, def] of Object.entries(routes) as [string, RouteDef][]) {
      const op = doc.paths![openApiPath(def.path)]![def.method.toLowerCase() as O.HttpMethods]!;
      const named = (op.security ?? []).flatMap((r) => Object.keys(r));
      if (def.auth === "none") {
        expect(op.security, name).toEqual([]);
        continue;
      }
      expect(named.length, name).toBeGreaterThan(0);
      for (const n of named)
        expect({ name, type: schemes[n]?.type, scheme: schemes[n]?.scheme }).toEqual({
          name,
          type: "http",
          scheme: "bearer",
        });
      // A people's route that admits the organisation's agent keys too lists both.
      if (def.auth === "user") expect(named, name).toEqual(def.agents ? ["accessToken", "agentKey"] : ["accessToken"]);
    }
    expect(schemes.accessToken!.bearerFormat).toBe("JWT");
    // The people, organisation and agent-key routes are all for signed-in people.
    for (const path of ["/v1/admin/users/{user_id}", "/v1/org", "/v1/keys", "/v1/keys/{key_id}/rotate"])
      for (const op of Object.values<O.OperationObject>(doc.paths![path] as Record<string, O.OperationObject>))
        expect(op.security, path).toEqual([{ accessToken: [] }]);
  });

  it("declares each error a route can give, in the one error shape, and only those codes", () => {
    const ajv = newAjv();
    for (const [name, def] of Object.entries(routes) as [string, RouteDef][]) {
      const op = doc.paths![openApiPath(def.path)]![def.method.toLowerCase() as O.HttpMethods]!;
      const statuses = Object.keys(op.responses).map(Number);
      expect(statuses.includes(400), name).toBe(
        Boolean(def.body || def.query || Object.keys(shapeOf(def.params)).length),
      );
      // Keyed routes refuse keys; an open route answers 401/403 only with codes of its own (a login's).
      const own = (status: number) => (def.errors ?? []).some((c) => ErrorCodes[c] === status);
      expect(statuses.includes(401), name).toBe(def.auth !== "none" || own(401));
      expect(statuses.includes(403), name).toBe(def.auth !== "none" || own(403));
      expect(statuses.includes(413) && statuses.includes(415), name).toBe(def.body !== undefined);
      expect(statuses, name).toContain(500);
      const declared = new Set<ErrorCode>();
      for (const status of statuses.filter((s) => s >= 400 && !(def.alsoAnswers ?? []).includes(s))) {
        const schema = (op.responses[String(status)] as O.ResponseObject).content!["application/json"]!.schema!;
        const validate = ajv.compile(schema);
        const codes = (Object.keys(ErrorCodes) as ErrorCode[]).filter((c) => validate(new SiqError(c, "m").toWire()));
        expect(
          codes.every((c) => ErrorCodes[c] === status),
          `${name} ${status}`,
        ).toBe(true);
        expect(codes.length, `${name} ${status}`).toBeGreaterThan(0);
        expect(validate({ ...new SiqError(codes[0]!, "m").toWire(), extra: 1 })).toBe(false);
        codes.forEach((c) => declared.add(c));
      }
      for (const code of def.errors ?? []) expect(declared.has(code), `${name} ${code}`).toBe(true);
    }
  });
});
