/**
 * `sentineliq log show --type admin`: the audit trail, one line per entry —
 * every admin entry (`sentineliq.admin.v1`: who did what to what) and every
 * login event the network decided (`sentineliq.event.v1` of kind
 * `login`, or any kind starting with `login`) that the key may read (an agent key: its
 * organisation's; an auditor key: all). Columns, tab-separated:
 * index, time, action, actor, target, organisation or outcome.
 */
import { z } from "zod";
import { ADMIN_ENTRY_TYPE, AdminRecord, TypeTags } from "../../protocol/index.ts";
import { call } from "../shared/client.ts";
import { EXIT, fail } from "./verify.ts";

/** What `--type` takes. */
export const ENTRY_TYPES = ["admin"] as const;

const PAGE = 1000;

/** What a line shows of an event entry (read loosely: `log verify` is what checks it). */
const EventLine = z.object({
  kind: z.string(),
  event_ref: z.string(),
  decided_at: z.string(),
  decision: z.string(),
  risk_level: z.string(),
});

/** One line for an entry of the trail, or undefined for any other entry. */
export function trailLine(index: number, entry: Buffer): string | undefined {
  let json: unknown;
  try {
    json = JSON.parse(entry.toString("utf8"));
  } catch {
    return undefined;
  }
  const type = (json as { type?: unknown } | null)?.type;
  if (type === ADMIN_ENTRY_TYPE) {
    const r = AdminRecord.safeParse(json);
    if (!r.success) return `${index}\t-\t(malformed admin entry)\t-\t-\t-`;
    const a = r.data;
    const actor = `${a.actor.kind}:${a.actor.id}${a.actor.org ? `@${a.actor.org}` : ""}`;
    return [index, a.at, a.action, actor, `${a.target.kind}:${a.target.id}`, a.org ?? "-"].join("\t");
  }
  if (type === TypeTags.event) {
    const r = EventLine.safeParse(json);
    if (!r.success || !r.data.kind.startsWith("login")) return undefined;
    const e = r.data;
    return [index, e.decided_at, e.kind, "-", `event:${e.event_ref}`, `${e.decision}/${e.risk_level}`].join("\t");
  }
  return undefined;
}

/** Lists the trail from the start of the log, a page of readable entries at a time. */
export async function runLogShowType(
  type: (typeof ENTRY_TYPES)[number],
  target: { baseUrl: string; apiKey: string | undefined },
): Promise<number> {
  let start = 0;
  let shown = 0;
  for (;;) {
    const res = await call(target, "logEntries", { query: { start, limit: PAGE } });
    if (res.status === 401 || res.status === 403)
      return fail(`GET /v1/log/entries answered ${res.status}: entries are read with an API key (--api-key)`);
    if (res.status !== 200) return fail(`GET /v1/log/entries answered ${res.status}`);
    const entries = (res.body as { entries: { index: number; leaf: string }[] }).entries;
    for (const e of entries) {
      const line = type === "admin" ? trailLine(e.index, Buffer.from(e.leaf, "base64")) : undefined;
      if (line) {
        process.stdout.write(line + "\n");
        shown++;
      }
    }
    if (entries.length < PAGE) break;
    start = entries.at(-1)!.index + 1;
  }
  if (shown === 0) process.stderr.write("no admin or login entries readable with this key\n");
  return EXIT.OK;
}
