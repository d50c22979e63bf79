/** Agent authentication: `Authorization: Bearer <api key>`, matched by SHA-256 against each tenant's keys. */
import { sha256Hex, SiqError } from "../../protocol/index.ts";

export class ApiKeys {
  readonly #byHash: Map<string, string>;

  constructor(tenants: readonly { id: string; api_key_sha256: readonly string[] }[]) {
    this.#byHash = new Map(tenants.flatMap((t) => t.api_key_sha256.map((h) => [h, t.id] as const)));
  }

  /** The tenant id for this Authorization header, or a 401. */
  tenantFor(header: string | undefined): string {
    const m = /^Bearer\s+(\S{16,256})$/i.exec(header ?? "");
    if (!m) throw new SiqError("UNAUTHENTICATED", "send Authorization: Bearer <api_key>");
    const tenant = this.#byHash.get(sha256Hex(m[1]!));
    if (!tenant) throw new SiqError("UNAUTHENTICATED", "unknown API key");
    return tenant;
  }
}
