import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { topology } from "../../protocol/index.ts";
import {
  ALWAYS_DENIED,
  busAuthorization,
  busPermissions,
  natsServerConfig,
  permissionTable,
  roleInbox,
  type RolePermissions,
} from "./permissions.ts";

/** NATS subject matching: `*` is one token, `>` one or more trailing tokens. */
function matches(pattern: string, subject: string): boolean {
  const p = pattern.split(".");
  const s = subject.split(".");
  for (let i = 0; i < p.length; i++) {
    if (p[i] === ">") return s.length > i;
    if (i >= s.length || (p[i] !== "*" && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}

const may = (perms: { allow: string[]; deny: string[] }, subject: string) =>
  perms.allow.some((a) => matches(a, subject)) && !perms.deny.some((d) => matches(d, subject));

const t = topology("siq");
const v1 = busPermissions(t, { kind: "validator", id: "v1" });
const coordinator = busPermissions(t, { kind: "coordinator" });
const S = t.streams;

describe("busPermissions", () => {
  it("lets validator v1 publish only its own verdicts, event verdicts, heartbeats and dead letters", () => {
    const own = [
      t.subjects.verdict("v1"),
      t.subjects.eventVerdict("v1"),
      t.subjects.heartbeat("v1"),
      t.subjects.deadLetter(t.consumers.validator("v1")),
      t.subjects.deadLetter(t.consumers.validatorEvents("v1")),
    ];
    for (const s of own) expect(may(v1.publish, s), s).toBe(true);
    const onTheBus = v1.publish.allow.filter((a) => a.startsWith("siq."));
    expect(onTheBus.sort()).toEqual([...own].sort());
    for (const s of [
      t.subjects.evaluate,
      t.subjects.evaluateEvent,
      t.subjects.settle,
      t.subjects.logAppend,
      t.subjects.verdict("v2"),
      t.subjects.eventVerdict("v2"),
      t.subjects.heartbeat("v2"),
      t.subjects.witnessAddCheckpoint("v2"),
      `$KV.${t.buckets.audit}.${"ab".repeat(32)}`,
    ])
      expect(may(v1.publish, s), s).toBe(false);
  });

  it("gives a validator no stream management and only its own durable consumers", () => {
    for (const op of ["CREATE", "UPDATE", "DELETE", "PURGE"])
      for (const s of [S.payments.name, S.verdicts.name, S.log.name, `KV_${t.buckets.audit}`])
        expect(may(v1.publish, `$JS.API.STREAM.${op}.${s}`), `${op} ${s}`).toBe(false);
    expect(may(v1.publish, `$JS.API.STREAM.INFO.${S.payments.name}`)).toBe(true);
    expect(may(v1.publish, `$JS.API.CONSUMER.CREATE.${S.payments.name}.validator-v1.siq.v1.payments.evaluate`)).toBe(
      true,
    );
    expect(may(v1.publish, `$JS.API.CONSUMER.MSG.NEXT.${S.events.name}.validator-events-v1`)).toBe(true);
    expect(may(v1.publish, `$JS.ACK.${S.payments.name}.validator-v1.1.2.3.4.5`)).toBe(true);
    for (const subject of [
      `$JS.API.CONSUMER.CREATE.${S.payments.name}.validator-v2`,
      `$JS.API.CONSUMER.MSG.NEXT.${S.payments.name}.validator-v2`,
      `$JS.API.CONSUMER.CREATE.${S.verdicts.name}.aggregator`,
      `$JS.API.CONSUMER.CREATE.${S.settlements.name}`,
      `$JS.API.CONSUMER.DELETE.${S.payments.name}.validator-v1`,
      `$JS.ACK.${S.payments.name}.validator-v2.1.2.3.4.5`,
      `$JS.API.STREAM.MSG.GET.${S.log.name}`,
    ])
      expect(may(v1.publish, subject), subject).toBe(false);
  });

  it("lets a validator watch the audit registry, answer its own witness subject and read only its own inbox", () => {
    const kv = `KV_${t.buckets.audit}`;
    expect(may(v1.publish, `$JS.API.CONSUMER.CREATE.${kv}`)).toBe(true);
    expect(may(v1.publish, `$JS.FC.${kv}.x.y`)).toBe(true);
    expect(may(v1.subscribe, t.subjects.witnessAddCheckpoint("v1"))).toBe(true);
    expect(may(v1.subscribe, t.subjects.witnessAddCheckpoint("v2"))).toBe(false);
    expect(may(v1.subscribe, `${roleInbox({ kind: "validator", id: "v1" })}.abc`)).toBe(true);
    for (const other of [
      `${roleInbox({ kind: "coordinator" })}.abc`,
      `${roleInbox({ kind: "validator", id: "v2" })}.x`,
    ])
      expect(may(v1.subscribe, other)).toBe(false);
    expect(may(v1.subscribe, t.subjects.evaluate)).toBe(false);
    expect(may(v1.subscribe, "_INBOX.abc")).toBe(false);
    expect(v1.allow_responses).toEqual({ max: 1 });
  });

  it("lets the coordinator publish tasks, orders, log appends and registry values, but no verdict", () => {
    for (const s of [
      t.subjects.evaluate,
      t.subjects.evaluateEvent,
      t.subjects.settle,
      t.subjects.logAppend,
      `$KV.${t.buckets.audit}.${"ab".repeat(32)}`,
      t.subjects.witnessAddCheckpoint("v3"),
      `$JS.API.STREAM.CREATE.${S.log.name}`,
      `$JS.API.CONSUMER.MSG.NEXT.${S.log.name}.log-sequencer`,
    ])
      expect(may(coordinator.publish, s), s).toBe(true);
    for (const s of [
      t.subjects.verdict("v1"),
      t.subjects.eventVerdict("v1"),
      t.subjects.heartbeat("v1"),
      `$JS.API.STREAM.DELETE.${S.log.name}`,
      `$JS.API.STREAM.PURGE.${S.payments.name}`,
      `$JS.API.CONSUMER.CREATE.${S.payments.name}.validator-v1`,
    ])
      expect(may(coordinator.publish, s), s).toBe(false);
    expect(may(coordinator.subscribe, t.subjects.heartbeat("v4"))).toBe(true);
    expect(may(coordinator.subscribe, `${roleInbox({ kind: "validator", id: "v1" })}.x`)).toBe(false);
  });

  it("denies every role deleting or purging a stream, and stays inside its namespace", () => {
    const other = topology("other");
    for (const p of [v1, coordinator] as RolePermissions[]) {
      expect(p.publish.deny).toEqual(ALWAYS_DENIED);
      expect(may(p.publish, `$JS.API.STREAM.DELETE.${S.payments.name}`)).toBe(false);
      for (const s of [other.subjects.evaluate, other.subjects.verdict("v1"), other.subjects.logAppend])
        expect(may(p.publish, s), s).toBe(false);
    }
  });

  it("is one user per role in the authorization block, and the same every time", () => {
    const users = [
      { role: { kind: "coordinator" as const }, nkey: "UCOORD" },
      { role: { kind: "validator" as const, id: "v1" }, nkey: "UV1" },
    ];
    const block = busAuthorization(t, users);
    expect(block.users.map((u) => u.nkey)).toEqual(["UCOORD", "UV1"]);
    expect(block.users[1]!.permissions).toEqual(v1);
    expect(busAuthorization(t, users)).toEqual(block);
    const conf = natsServerConfig(block);
    expect(conf).toContain('"$JS.API.INFO"');
    expect(conf).toMatch(/^authorization: \{/m);
    expect(conf).toMatch(/^jetstream: enabled$/m);
  });
});

describe("the README's permission table", () => {
  it("is what permissionTable derives from the topology (`sentineliq keys permissions`)", () => {
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    const start = "<!-- bus-permissions:start -->\n";
    const block = readme.slice(readme.indexOf(start) + start.length, readme.indexOf("<!-- bus-permissions:end -->"));
    expect(block).toBe(permissionTable(topology("siq")));
  });

  it("lets the coordinator list each stream's consumers (their backlog, for metrics), and a validator not", () => {
    for (const s of Object.values(S)) {
      expect(may(coordinator.publish, `$JS.API.CONSUMER.LIST.${s.name}`), s.name).toBe(true);
      expect(may(v1.publish, `$JS.API.CONSUMER.LIST.${s.name}`), s.name).toBe(false);
      expect(may(coordinator.publish, `$JS.API.CONSUMER.DELETE.${s.name}.validator-v1`), s.name).toBe(false);
    }
  });
});
