/**
 * Events through the real network on PGlite and PostgreSQL: scored by every
 * validator, decided by quorum, logged as `sentineliq.event.v1` entries that
 * an auditor re-verifies, and feeding the state payment rules read. Then the
 * logged history is backtested against a candidate pack.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backtest } from "../cli/rules/backtest.ts";
import { LogStore } from "../coordinator/index.ts";
import { EntryChecker, ValidatorSet, Verifier } from "../protocol/index.ts";
import { DEFAULT_PACK_DIR, loadPack } from "../rules/index.ts";
import { storeKinds } from "./helpers/db.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";

describe.each(storeKinds())("events end to end on %s", (store) => {
  let net: TestNetwork;
  const post = async (body: unknown) => {
    const res = await fetch(`${net.url}/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${net.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  };
  beforeAll(async () => {
    net = await startNetwork({ store });
  });
  afterAll(async () => {
    await net?.stop();
  });

  it("scores an event by quorum and logs it; brute force then steps up the account's payment", async () => {
    let last: any;
    for (let i = 0; i < 5; i++) {
      const res = await post({ event_id: `bf-${i}`, kind: "login_failure", agent_id: "agent-7", ip: "203.0.113.5" });
      expect(res.status).toBe(200);
      last = res.body;
    }
    expect(last).toMatchObject({ status: "decided", risk_level: "HIGH", decision: "challenge" });
    expect(last.reasons[0]).toMatchObject({ code: "BRUTE_FORCE" });
    expect(last.log_index).toBeTypeOf("number");
    const paid = await net.post(net.payment());
    expect(paid.body).toMatchObject({ risk_level: "HIGH", decision: "challenge" });
    expect(paid.body.reasons.map((r: { code: string }) => r.code)).toContain("ACCOUNT_UNDER_ATTACK");
  });

  it("refuses malformed events with a typed 400, and keeps tenants apart", async () => {
    const noSubject = await post({ event_id: "x", kind: "login_failure", ip: "203.0.113.5" });
    expect(noSubject.status).toBe(400);
    expect(noSubject.body.error_details.code).toBe("INVALID_REQUEST");
    const badKind = await post({ event_id: "x", kind: "teleport", user_id: "u", ip: "203.0.113.5" });
    expect(badKind.status).toBe(400);
    const other = await fetch(`${net.url}/v1/events/bf-0`, { headers: { authorization: `Bearer ${net.apiKey}-b` } });
    expect(other.status).toBe(404);
  });

  it("an auditor re-verifies every entry, event decisions included, and catches an edited event verdict", async () => {
    const rows = [];
    for await (const row of new LogStore(net.db).all()) rows.push(row);
    const types = rows.map((r) => r.type);
    expect(types).toContain("sentineliq.event.v1");
    expect(types).toContain("sentineliq.decision.v1");
    const checker = new EntryChecker(ValidatorSet.parse(net.validatorSet));
    for (const row of rows) expect(checker.check(row.entry)).toMatchObject({ ok: true });
    const events = rows.filter((r) => r.type === "sentineliq.event.v1");
    expect(
      events.every((r) => checker.check(r.entry).ok && (checker.check(r.entry) as { checked: boolean }).checked),
    ).toBe(true);

    const entry = JSON.parse(events[0]!.entry.toString("utf8"));
    entry.verdicts[0].verdict.risk_level = entry.verdicts[0].verdict.risk_level === "LOW" ? "HIGH" : "LOW";
    const { checkEventEntry } = await import("../protocol/log/verify-event.ts");
    const validators = new Map(
      net.validatorSet.validators.map((v) => [v.id, new Verifier(Buffer.from(v.public_key, "hex"))]),
    );
    expect(checkEventEntry(entry, validators)?.[0]).toBe("BAD_VERDICT");
  });

  it("backtests the logged history against a candidate pack", async () => {
    const same = await backtest(net.db, loadPack());
    expect(same.replayed).toBeGreaterThan(0);
    expect(same.records).toBeGreaterThan(same.replayed); // the events were replayed too
    expect(same.changed).toBe(0);
    const dir = mkdtempSync(join(tmpdir(), "siq-candidate-"));
    try {
      cpSync(DEFAULT_PACK_DIR, dir, { recursive: true });
      writeFileSync(
        join(dir, "pack.yaml"),
        readFileSync(join(dir, "pack.yaml"), "utf8").replace("brute_force_failures: 5", "brute_force_failures: 50"),
      );
      const loose = await backtest(net.db, loadPack(dir));
      expect(loose.changed).toBeGreaterThan(0);
      expect(loose.transitions["HIGH→LOW"]).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
