/** `sentineliq validators list | reinstate ID`, over `GET /v1/validators` and `POST /v1/validators/{id}/reinstate`. */
import type { ValidatorList, WireError } from "../../protocol/index.ts";
import { call } from "../shared/client.ts";
import { resolveOperatorTarget } from "../shared/credentials.ts";

const out = (s: string) => process.stdout.write(s + "\n");

export async function runValidators(
  action: "list" | "reinstate",
  id: string | undefined,
  flags: { url?: string; operatorKey?: string; reason?: string; json?: boolean },
): Promise<number> {
  const target = resolveOperatorTarget(flags);
  const res =
    action === "list"
      ? await call(target, "validatorsList")
      : await call(target, "validatorReinstate", {
          params: { validator_id: id ?? "" },
          body: flags.reason ? { reason: flags.reason } : {},
        });
  if (res.status !== 200) {
    const e = res.body as WireError;
    process.stderr.write(`✗ ${res.status} ${e.code ?? ""}: ${e.message ?? res.text}\n`);
    return 1;
  }
  const list = res.body as ValidatorList;
  if (flags.json) {
    out(JSON.stringify(list));
    return 0;
  }
  for (const v of list.validators) {
    const state = v.excluded
      ? `EXCLUDED since ${v.excluded_at} (equivocated on ${v.evidence?.payment_id} attempt ${v.evidence?.attempt})`
      : "counting";
    out(
      `${v.excluded ? "✗" : "✓"} ${v.id.padEnd(6)} ${v.alive ? "alive" : "silent"}  weight ${v.weight}/${v.base_weight}  ${state}`,
    );
  }
  out(
    list.quorum_safe
      ? `quorum safe: ${list.validators.filter((v) => !v.excluded).length} of n=${list.n} count (f=${list.f}), epoch ${list.epoch}`
      : `QUORUM_UNSAFE: too few validators left for f=${list.f}; payments fail closed until one is reinstated (epoch ${list.epoch})`,
  );
  return 0;
}
