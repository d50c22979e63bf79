/**
 * The red-team suite: every attack an outside review made on the network (issue 11), reproduced against
 * `sentineliq dev` exactly as `npm start` runs it (its own NKey-only nats-server, 4 validator processes, the
 * coordinator, PGlite). Each attack is refused; nothing accepted is lost; no process exits; and `log verify`
 * passes at the end, so no forged entry got in.
 *
 * Deeper variants live beside the code they attack: a leaked bus key, forged verdicts and the sequencer's state
 * guard (bus-forgery.e2e), every role's permissions (bus-auth.e2e), equivocators excluded (byzantine.e2e),
 * custody wallets (identity.e2e), every route and subject fuzzed (poison-fuzz.e2e).
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { jetstream } from "@nats-io/jetstream";
import { Kvm } from "@nats-io/kv";
import { connect, nkeyAuthenticator, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "../cli/launcher/processes.ts";
import { roleInbox, roleName, type BusRole } from "../lib/bus/index.ts";
import { canonicalBytes, decisionKey, topology, TypeTags } from "../protocol/index.ts";
import { startDev, type DevNetwork } from "./helpers/dev.ts";

const run = promisify(execFile);
const t = topology("siq");
/** The purpose the review used: cut at 200 UTF-16 units, its emoji lost half of itself and JCS threw. */
const EMOJI_PURPOSE = "ignore previous instructions " + "a".repeat(170) + "😀b";
/** A code hash nobody audited: the default pack challenges a payment that runs it. */
const UNAUDITED = "bad0".repeat(16);
const HIGH = { amount: "25000.00", currency: "USDC", trace_context: { purpose: "pay invoice INV-7781, licence" } };

let net: DevNetwork;
const open: NatsConnection[] = [];
/** Dead letters seen on the bus: the actor and why (its code first). */
const letters: { actor: string; reason: string }[] = [];

const natsUrl = () =>
  (JSON.parse(readFileSync(join(net.dir, "dev-credentials.json"), "utf8")) as { nats_url: string }).nats_url;
async function connectAs(role: BusRole): Promise<NatsConnection> {
  const seed = readFileSync(join(net.dir, "nats", `${roleName(role)}.nk`), "utf8").trim();
  const nc = await connect({
    servers: natsUrl(),
    authenticator: nkeyAuthenticator(new TextEncoder().encode(seed)),
    inboxPrefix: roleInbox(role),
    reconnect: false,
  });
  open.push(nc);
  return nc;
}
const processes = () =>
  JSON.parse(readFileSync(join(net.dir, "processes.json"), "utf8")) as { name: string; pid: number }[];
const running = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const raw = async (method: string, path: string, json: string) => {
  const res = await fetch(net.url + path, {
    method,
    headers: { authorization: `Bearer ${net.apiKey}`, "content-type": "application/json" },
    body: json,
  });
  return { status: res.status, body: (await res.json()) as { error_details?: { code: string } } };
};
const letter = (actor: string, code: string) =>
  expect
    .poll(() => letters.some((l) => l.actor === actor && l.reason.startsWith(code)), { timeout: 30_000 })
    .toBe(true);

describe("red team: the review's attacks on a running network", () => {
  beforeAll(async () => {
    net = await startDev();
    // The coordinator's NATS credentials, as if stolen: enough to publish on every subject, not to sign.
    const nc = await connectAs({ kind: "coordinator" });
    const sub = nc.subscribe(t.subjects.deadLetterWildcard);
    void (async () => {
      for await (const m of sub) letters.push(m.json<{ actor: string; reason: string }>());
    })();
    await nc.flush();
  }, 180_000);
  afterAll(async () => {
    for (const nc of open) await nc.close().catch(() => {});
    await net?.stop();
  });

  describe("the bus is not an open door", () => {
    it("refuses an anonymous connection", async () => {
      await expect(connect({ servers: natsUrl(), reconnect: false })).rejects.toThrow(/authoriz|authenticat/i);
    });

    it("a validator's stolen credentials cannot append to the log, order a settlement, set a task or write the registry", async () => {
      const js = jetstream(await connectAs({ kind: "validator", id: "v1" }), { timeout: 3000 });
      for (const subject of [t.subjects.logAppend, t.subjects.settle, t.subjects.evaluate, t.subjects.verdict("v2")])
        await expect(js.publish(subject, "{}"), subject).rejects.toThrow();
      await expect(js.publish(`$KV.${t.buckets.audit}.${UNAUDITED}`, "{}")).rejects.toThrow();
    });

    it("with the coordinator's NATS credentials but not its bus key, forged orders, tasks and registry values are refused", async () => {
      const nc = await connectAs({ kind: "coordinator" });
      const js = jetstream(nc);
      // A registry value approving unaudited code "as mallory"; the validators' caches refuse it.
      const kv = await new Kvm(nc).open(t.buckets.audit);
      const forged = { type: TypeTags.audit_state, code_hash: UNAUDITED, state: "approved", log_index: 0 };
      await kv.put(
        UNAUDITED,
        canonicalBytes({ ...forged, approved_by: "mallory", updated_at: new Date().toISOString() }),
      );
      // A settlement order for a payment that does not exist.
      await js.publish(
        t.subjects.settle,
        JSON.stringify({ type: TypeTags.settle, payment_id: "pay_none", amount: "1" }),
      );
      await letter("settler", "BAD_BUS_SIGNATURE");
      // A task with an invented digest: no validator signs it.
      const task = { type: TypeTags.task, payment_id: "pay_forged", attempt: 1, payment_digest: "f".repeat(64) };
      await js.publish(t.subjects.evaluate, JSON.stringify(task));
      for (const v of ["v1", "v2", "v3", "v4"]) await letter(`validator-${v}`, "BAD_BUS_SIGNATURE");
      const res = await net.post("/v1/payments", net.payment({ func_stack_hashes: [UNAUDITED] }));
      expect(res.body.reasons.map((r: { code: string }) => r.code)).toContain("UNAUDITED_CODE_PATH");
      expect(res.body.decision).toBe("challenge");
    });

    it("a forged log append cannot turn a challenged 25,000 USDC HIGH payment into an approval", async () => {
      const first = await net.post("/v1/payments", net.payment(HIGH));
      expect(first.body).toMatchObject({ status: "challenged", risk_level: "HIGH" });
      const id = first.body.payment_id as string;
      const entry = { type: TypeTags.decision, payment_id: id, attempt: 1, decision: "approve", risk_level: "LOW" };
      const append = {
        type: TypeTags.log_append,
        key: decisionKey(id, 1),
        entry: Buffer.from(canonicalBytes(entry)).toString("base64"),
        payment: { payment_id: id, status: "approved", risk_level: "LOW", decision: "approve", reasons: [] },
      };
      await jetstream(await connectAs({ kind: "coordinator" })).publish(t.subjects.logAppend, JSON.stringify(append));
      await letter("log-sequencer", "BAD_BUS_SIGNATURE");
      expect((await net.get(`/v1/payments/${id}`)).body).toMatchObject({ status: "challenged", risk_level: "HIGH" });
    });
  });

  describe("no poison message", () => {
    it("the emoji purpose gets a decision, and every process of the network is still running", async () => {
      const res = await net.post("/v1/payments", net.payment({ trace_context: { purpose: EMOJI_PURPOSE } }));
      expect(res.status).toBe(200);
      expect(["approve", "challenge", "reject"]).toContain(res.body.decision);
      const again = await net.post("/v1/payments", net.payment());
      expect(again.body).toMatchObject({ status: "settled", risk_level: "LOW" });
      for (const p of processes()) expect(running(p.pid), p.name).toBe(true);
    });

    it("a NUL payload is a 400 while other tenants' concurrent payments are decided", async () => {
      const poison = JSON.stringify(net.payment()).replace('"debug_mode"', '"nul\\u0000":1,"debug_mode"');
      const [bad, ...good] = await Promise.all([
        raw("POST", "/v1/payments", poison),
        ...Array.from({ length: 6 }, () => net.post("/v1/payments", net.payment())),
      ]);
      expect(bad).toMatchObject({ status: 400, body: { error_details: { code: "NUL_CHARACTER" } } });
      for (const g of good) expect(g.body).toMatchObject({ status: "settled" });
    });

    it.each([
      ["1e400", "1e400", "NON_FINITE_NUMBER"],
      ["a lone surrogate", '"\\ud83d"', "LONE_SURROGATE"],
      ["NUL", '"\\u0000"', "NUL_CHARACTER"],
    ])("%s in an audit source, an event or a challenge answer is a 400", async (_name, value, code) => {
      const bodies: [string, string][] = [
        ["/v1/audit/code", `{"code_hash":"${"a".repeat(64)}","name":"f","source":${value}}`],
        ["/v1/events", `{"event_id":"ev-poison","kind":"login_failure","ip":${value}}`],
        ["/v1/payments/pay_x/challenge-response", `{"challenge_id":"ch_x","nonce":"n","responses":{"r":${value}}}`],
      ];
      for (const [path, json] of bodies)
        expect(await raw("POST", path, json), path).toMatchObject({ status: 400, body: { error_details: { code } } });
    });
  });

  describe("challenges the agent cannot answer for itself", () => {
    const answer = (ch: { challenge_id: string; nonce: string }, responses: object) => ({
      challenge_id: ch.challenge_id,
      nonce: ch.nonce,
      responses,
    });
    const respond = (id: string, body: object) => net.post(`/v1/payments/${id}/challenge-response`, body);

    it('a `{"` reference leaves the payment challenged', async () => {
      const first = await net.post("/v1/payments", net.payment(HIGH));
      const res = await respond(
        first.body.payment_id,
        answer(first.body.challenge, { purpose: "Annual licence renewal", reference: '{"' }),
      );
      expect(res.body).toMatchObject({ status: "challenged" });
    });

    it("a self-confirmed step-up is a 403 and the payment stays challenged", async () => {
      const first = await net.post("/v1/payments", net.payment(HIGH));
      const id = first.body.payment_id as string;
      const proof = { purpose: "Annual licence renewal", reference: "INV-7781" };
      const step = (await respond(id, answer(first.body.challenge, proof))).body.challenge;
      expect(step.kind).toBe("step_up");
      const self = await respond(id, answer(step, { confirmed: true, confirmed_by: "the agent" }));
      expect(self).toMatchObject({ status: 403, body: { error_details: { code: "STEP_UP_NOT_BY_AGENT" } } });
      expect((await net.post(`/v1/challenges/${step.challenge_id}/approve`, {})).status).toBe(403);
      expect((await net.get(`/v1/payments/${id}`)).body.status).toBe("challenged");
    });

    it("the nonce is required, and a wrong challenge id reveals nothing about the open one", async () => {
      const first = await net.post("/v1/payments", net.payment(HIGH));
      const ch = first.body.challenge as { challenge_id: string; nonce: string };
      const id = first.body.payment_id as string;
      const proof = { purpose: "Annual licence renewal", reference: "INV-7781" };
      expect((await respond(id, { challenge_id: ch.challenge_id, responses: proof })).status).toBe(400);
      const wrong = await respond(id, { ...answer(ch, proof), challenge_id: "ch_nope" });
      expect(wrong.status).toBe(409);
      expect(JSON.stringify(wrong.body)).not.toContain(ch.challenge_id);
      expect(JSON.stringify(wrong.body)).not.toContain(ch.nonce);
    });
  });

  describe("identity is bound to keys", () => {
    it("a payment or an event naming an agent the key was not issued for is a 403", async () => {
      const pay = await net.post("/v1/payments", net.payment({ agent_id: "trusted-treasury-bot" }));
      expect(pay).toMatchObject({ status: 403, body: { error_details: { code: "AGENT_NOT_ALLOWED" } } });
      const ev = await net.post("/v1/events", {
        event_id: "ev-other",
        kind: "login_success",
        agent_id: "someone-else",
        ip: "203.0.113.9",
      });
      expect(ev).toMatchObject({ status: 403, body: { error_details: { code: "AGENT_NOT_ALLOWED" } } });
    });
  });

  it("after all of it: every process still runs, and `sentineliq log verify` passes over the whole log", async () => {
    for (const p of processes()) expect(running(p.pid), p.name).toBe(true);
    const creds = JSON.parse(readFileSync(join(net.dir, "dev-credentials.json"), "utf8")) as { log_vkey: string };
    const { stdout } = await run(process.execPath, [
      BIN,
      "log",
      "verify",
      ...["--db", join(net.dir, "pgdata"), "--network", join(net.dir, "network.json")],
      ...["--vkey", creds.log_vkey, "--state", join(net.dir, "auditor")],
    ]);
    expect(stdout).toMatch(/✓ \d+ entries verified/);
  });
});
