/**
 * Who is asking: `Authorization: Bearer <key>`, matched by SHA-256 against the
 * agents' keys (one set per tenant), the auditors' and the operators' keys. A
 * route admits agents, auditors, either, or operators; a known key of the wrong role gets a 403.
 */
import { sha256Hex, SiqError, type Auth } from "../../protocol/index.ts";

export type Principal =
  { role: "agent"; tenant: string } | { role: "auditor"; auditor: string } | { role: "operator"; operator: string };

interface Keyed {
  id: string;
  api_key_sha256: readonly string[];
}

export class ApiKeys {
  readonly #byHash: Map<string, Principal>;

  constructor(tenants: readonly Keyed[], auditors: readonly Keyed[] = [], operators: readonly Keyed[] = []) {
    this.#byHash = new Map<string, Principal>([
      ...tenants.flatMap((t) => t.api_key_sha256.map((h) => [h, { role: "agent", tenant: t.id }] as const)),
      ...auditors.flatMap((a) => a.api_key_sha256.map((h) => [h, { role: "auditor", auditor: a.id }] as const)),
      ...operators.flatMap((o) => o.api_key_sha256.map((h) => [h, { role: "operator", operator: o.id }] as const)),
    ]);
  }

  /** The principal for this Authorization header, or a 401. */
  principalFor(header: string | undefined): Principal {
    const m = /^Bearer\s+(\S{16,256})$/i.exec(header ?? "");
    if (!m) throw new SiqError("UNAUTHENTICATED", "send Authorization: Bearer <api_key>");
    const p = this.#byHash.get(sha256Hex(m[1]!));
    if (!p) throw new SiqError("UNAUTHENTICATED", "unknown API key");
    return p;
  }

  /** The principal, if its role may use a route with this `auth`; 401 or 403 otherwise. */
  authorize(auth: Exclude<Auth, "none">, header: string | undefined): Principal {
    const p = this.principalFor(header);
    if (auth === "agent" && p.role !== "agent")
      throw new SiqError("FORBIDDEN", "this route is for agents; an auditor key cannot use it");
    if (auth === "auditor" && p.role !== "auditor")
      throw new SiqError("FORBIDDEN", "this route is for auditors; an agent key cannot use it");
    if (auth === "operator" && p.role !== "operator")
      throw new SiqError("FORBIDDEN", "this route is for operators; an agent or auditor key cannot use it");
    if (auth === "any" && p.role === "operator")
      throw new SiqError("FORBIDDEN", "this route is for agents and auditors; an operator key cannot use it");
    return p;
  }

  /** The tenant id for an agent's Authorization header (401 unknown, 403 not an agent). */
  tenantFor(header: string | undefined): string {
    const p = this.authorize("agent", header);
    return p.role === "agent" ? p.tenant : "";
  }
}
