/** The privacy commands: the privacy routes, called as a person (../accounts/session.ts). */
import type { ErasureResult } from "../../protocol/index.ts";
import { call } from "../shared/client.ts";
import { UsageError } from "../shared/flags.ts";
import { asPerson, refusal, type PersonFlags } from "../accounts/session.ts";

const KINDS = ["agent", "user", "account"] as const;

export async function privacyCommand(
  action: "erase" | "export",
  kind: string,
  id: string,
  flags: PersonFlags & { json?: boolean | undefined },
): Promise<number> {
  if (!(KINDS as readonly string[]).includes(kind)) throw new UsageError(`kind: one of ${KINDS.join(", ")}`);
  const k = kind as (typeof KINDS)[number];
  const res = await asPerson(flags, (t) =>
    action === "erase"
      ? call(t, "privacyErase", { params: { kind: k, id } })
      : call(t, "privacyExport", { query: { kind: k, id } }),
  );
  if (res.status !== 200) {
    process.stderr.write(refusal(res) + "\n");
    return 1;
  }
  if (action === "export" || flags.json) process.stdout.write(JSON.stringify(res.body, null, 2) + "\n");
  else {
    const r = res.body as ErasureResult;
    process.stdout.write(
      `✓ erased ${kind} ${id}: ${r.entries_redacted.length} log entries redacted, ${r.rows_erased} rows erased; ` +
        `erasure logged at index ${r.erasure_index}\n`,
    );
  }
  return 0;
}
