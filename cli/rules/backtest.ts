/**
 * `sentineliq rules backtest <dir>`: replays the logged payments and events,
 * in the order they arrived, through a fresh validator state and a candidate
 * pack, and reports how each payment's level would change against what the
 * network decided. Nothing is written.
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { openDb, type Db } from "../../lib/db.ts";
import { PackSchedule, scoreFacts, ValidatorState } from "../../node/index.ts";
import { EventRequest, PaymentRequest, RiskLevels, type RiskLevel } from "../../protocol/index.ts";
import { eventFacts, paymentFacts, type CompiledPack } from "../../rules/index.ts";
import { DEV_DIR } from "../shared/credentials.ts";
import { env } from "../shared/env.ts";
import { progress } from "../shared/progress.ts";
import { packOrError } from "./commands.ts";

export interface BacktestFlags {
  db?: string;
  schema?: string;
  limit?: number;
  sanctions?: string;
  json?: boolean;
}

interface Item {
  kind: "payment" | "event";
  id: string;
  tenant: string;
  time: number;
  request: unknown;
  logged: RiskLevel | null;
}

export async function runBacktest(dir: string, flags: BacktestFlags): Promise<number> {
  const pack = packOrError(dir, flags.sanctions);
  if (!pack) return 1;
  const url = flags.db ?? env.databaseUrl ?? join(resolve(DEV_DIR), "pgdata");
  if (!/^postgres/.test(url) && !existsSync(url)) {
    process.stderr.write(
      `✗ no data at ${url}: pass --db (and stop \`sentineliq dev\` first if it holds the PGlite folder)\n`,
    );
    return 1;
  }
  const db = await openDb({ url, ...(flags.schema ? { schema: flags.schema } : {}) });
  let summary: BacktestSummary;
  try {
    summary = await backtest(db, pack, { ...(flags.limit ? { limit: flags.limit } : {}), progress: !flags.json });
  } finally {
    await db.close();
  }
  if (flags.json) {
    process.stdout.write(JSON.stringify(summary) + "\n");
    return 0;
  }
  const { replayed, changed, transitions: matrix, examples } = summary;
  const records = summary.records;
  const out = (s: string) => process.stdout.write(s + "\n");
  out(
    `Backtest of pack ${pack.name} (${pack.hash.slice(0, 12)}) over ${replayed} decided payments and ${records - replayed} other records`,
  );
  out(`${changed} would change (${replayed ? ((100 * changed) / replayed).toFixed(1) : "0"}%)`);
  out("");
  out(`  logged \\ new  ${RiskLevels.map((l) => l.padStart(9)).join("")}`);
  for (const from of RiskLevels)
    out(`  ${from.padEnd(13)}${RiskLevels.map((to) => String(matrix[`${from}→${to}`] ?? 0).padStart(9)).join("")}`);
  if (examples.length > 0) {
    out("");
    out("  first changes:");
    for (const e of examples) out(`    ${e.payment_id}  ${e.from} → ${e.to}  ${e.reasons.join(", ")}`);
  }
  return 0;
}

export interface BacktestSummary {
  pack: string;
  rule_pack: string;
  records: number;
  replayed: number;
  changed: number;
  transitions: Record<string, number>;
  reasons_on_changed: Record<string, number>;
  examples: { payment_id: string; from: RiskLevel; to: RiskLevel; reasons: string[] }[];
}

/** Replays what a store holds through `pack`; nothing is written. */
export async function backtest(
  db: Db,
  pack: CompiledPack,
  opts: { limit?: number; progress?: boolean } = {},
): Promise<BacktestSummary> {
  const items = await loadItems(db, opts.limit);
  const scorer = { state: new ValidatorState(), packs: new PackSchedule(pack) };
  const matrix: Record<string, number> = {};
  const newReasons: Record<string, number> = {};
  const examples: { payment_id: string; from: RiskLevel; to: RiskLevel; reasons: string[] }[] = [];
  let replayed = 0;
  let changed = 0;
  const bar = opts.progress ? progress("backtest", items.length) : { tick() {}, done() {} };
  for (const it of items) {
    bar.tick();
    const origin = { tenant_id: it.tenant, id: it.id, time: it.time };
    if (it.kind === "event") {
      const e = EventRequest.safeParse(it.request);
      if (e.success) scoreFacts(scorer, eventFacts(e.data, origin));
      continue;
    }
    const p = PaymentRequest.safeParse(it.request);
    if (!p.success) continue;
    const { result } = scoreFacts(scorer, paymentFacts(p.data, origin));
    if (!it.logged) continue;
    replayed++;
    const key = `${it.logged}→${result.risk_level}`;
    matrix[key] = (matrix[key] ?? 0) + 1;
    if (it.logged !== result.risk_level) {
      changed++;
      for (const r of result.reasons) newReasons[r.code] = (newReasons[r.code] ?? 0) + 1;
      if (examples.length < 20)
        examples.push({
          payment_id: it.id,
          from: it.logged,
          to: result.risk_level,
          reasons: result.reasons.map((r) => r.code),
        });
    }
  }
  bar.done();
  return {
    pack: pack.name,
    rule_pack: pack.hash,
    records: items.length,
    replayed,
    changed,
    transitions: matrix,
    reasons_on_changed: newReasons,
    examples,
  };
}

/** The store's payments and events, in the order they arrived (`limit`: only the most recent payments). */
async function loadItems(db: Db, max?: number): Promise<Item[]> {
  const limit = max ? `ORDER BY created_at DESC LIMIT ${Math.floor(max)}` : "";
  const pays = await db.query<{
    payment_id: string;
    tenant_id: string;
    request: unknown;
    created_at: Date | string;
    risk_level: RiskLevel | null;
  }>(`SELECT payment_id, tenant_id, request, created_at, risk_level FROM siq_payments ${limit}`);
  const hasEvents = (await db.query("SELECT to_regclass('siq_events') IS NOT NULL AS ok"))[0]?.ok === true;
  const evs = hasEvents
    ? await db.query<{
        event_ref: string;
        tenant_id: string;
        request: unknown;
        received_at: Date | string;
        risk_level: RiskLevel | null;
      }>("SELECT event_ref, tenant_id, request, received_at, risk_level FROM siq_events")
    : [];
  return [
    ...pays.map((p) => ({
      kind: "payment" as const,
      id: p.payment_id,
      tenant: p.tenant_id,
      time: new Date(p.created_at).getTime(),
      request: p.request,
      logged: p.risk_level,
    })),
    ...evs.map((e) => ({
      kind: "event" as const,
      id: e.event_ref,
      tenant: e.tenant_id,
      time: new Date(e.received_at).getTime(),
      request: e.request,
      logged: e.risk_level,
    })),
  ].sort((a, b) => a.time - b.time);
}
