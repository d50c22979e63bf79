/** The privacy commands: the privacy routes, called as a person (../accounts/session.ts). */
import type { ErasureResult, RetentionPolicy } from "../../protocol/index.ts";
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

type Days = string | undefined;

/** Shows the policy; with any of the day flags, changes those (the others stay) and shows the result. */
export async function retentionCommand(
  flags: PersonFlags & {
    json?: boolean | undefined;
    operationalDays?: Days;
    eventsDays?: Days;
    requestsDays?: Days;
  },
): Promise<number> {
  const days = (v: Days, was: number | null) => (v === undefined ? was : v === "keep" ? null : Number(v));
  const change = [flags.operationalDays, flags.eventsDays, flags.requestsDays].some((v) => v !== undefined);
  const res = await asPerson(flags, async (t) => {
    const got = await call(t, "privacyRetentionGet");
    if (!change || got.status !== 200) return got;
    const was = got.body as RetentionPolicy;
    const body: RetentionPolicy = {
      operational_days: days(flags.operationalDays, was.operational_days),
      events_days: days(flags.eventsDays, was.events_days),
      requests_days: days(flags.requestsDays, was.requests_days),
    };
    return call(t, "privacyRetentionSet", { body });
  });
  if (res.status !== 200) {
    process.stderr.write(refusal(res) + "\n");
    return 1;
  }
  const p = res.body as RetentionPolicy;
  const show = (n: number | null) => (n === null ? "kept" : `${n} days`);
  process.stdout.write(
    flags.json
      ? JSON.stringify(p) + "\n"
      : `✓ retention: operational rows ${show(p.operational_days)}, events ${show(p.events_days)}, ` +
          `raw request text ${show(p.requests_days)}\n`,
  );
  return 0;
}
