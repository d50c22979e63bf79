/**
 * Who may do what on the bus, derived from the topology alone: the
 * `authorization` block of nats-server's configuration, one NKey user per
 * role. Pure: the same topology and keys give the same block.
 *
 * - The coordinator (with the aggregators, the settler and the log sequencer
 *   it runs) publishes tasks, settlement orders, log appends and registry
 *   values, manages the streams and reads its own durable consumers.
 * - Validator `vN` publishes only its own verdict, event-verdict, heartbeat and
 *   dead-letter subjects, reads only its own two durable consumers, watches the
 *   audit registry and answers its own witness subject.
 * No role may delete or purge a stream, and each reads replies only on its own
 * inbox prefix.
 */
import type { Topology } from "../../protocol/index.ts";

export type BusRole = { kind: "coordinator" } | { kind: "validator"; id: string };

export interface RolePermissions {
  publish: { allow: string[]; deny: string[] };
  subscribe: { allow: string[]; deny: string[] };
  /** Lets the role answer requests (its reply goes to the requester's inbox, once). */
  allow_responses?: { max: number };
}

export interface NatsUser {
  nkey: string;
  permissions: RolePermissions;
}

export interface AuthorizationBlock {
  users: NatsUser[];
}

const API = "$JS.API";

/** Denied to every role, whatever its allow list says. */
export const ALWAYS_DENIED = [
  `${API}.STREAM.DELETE.>`,
  `${API}.STREAM.PURGE.>`,
  `${API}.ACCOUNT.PURGE.>`,
  `${API}.STREAM.MSG.DELETE.>`,
];

export function roleName(role: BusRole): string {
  return role.kind === "coordinator" ? "coordinator" : `validator-${role.id}`;
}

/** The inbox prefix a role connects with (connect option `inboxPrefix`): no other role can read its replies. */
export function roleInbox(role: BusRole): string {
  return `_INBOX_${roleName(role)}`;
}

/** The KV bucket's stream name (`KV_<bucket>`, as NATS KV names it). */
const kvStream = (bucket: string) => `KV_${bucket}`;

/** What reading one durable consumer of a stream takes: create it, look it up, pull and acknowledge. */
function durableConsumer(stream: string, durable: string): string[] {
  return [
    `${API}.CONSUMER.CREATE.${stream}.${durable}`,
    `${API}.CONSUMER.CREATE.${stream}.${durable}.>`,
    `${API}.CONSUMER.DURABLE.CREATE.${stream}.${durable}`,
    `${API}.CONSUMER.INFO.${stream}.${durable}`,
    `${API}.CONSUMER.MSG.NEXT.${stream}.${durable}`,
    `$JS.ACK.${stream}.${durable}.>`,
  ];
}

/** What watching and reading a KV bucket takes (an ordered push consumer with flow control, direct gets). */
function kvReader(bucket: string): string[] {
  const s = kvStream(bucket);
  return [
    `${API}.STREAM.INFO.${s}`,
    `${API}.CONSUMER.CREATE.${s}`,
    `${API}.CONSUMER.CREATE.${s}.>`,
    `${API}.DIRECT.GET.${s}`,
    `${API}.DIRECT.GET.${s}.>`,
    `${API}.STREAM.MSG.GET.${s}`,
    `$JS.FC.${s}.>`,
  ];
}

const unique = (xs: string[]) => [...new Set(xs)];

function coordinatorPermissions(t: Topology): RolePermissions {
  const { streams: st, subjects: sub, consumers: c, buckets } = t;
  const manage = (stream: string) => ["CREATE", "UPDATE", "INFO"].map((op) => `${API}.STREAM.${op}.${stream}`);
  const allStreams = [...Object.values(st).map((s) => s.name), kvStream(buckets.audit)];
  return {
    publish: {
      allow: unique([
        sub.evaluate,
        sub.evaluateEvent,
        sub.settle,
        sub.logAppend,
        ...[c.aggregator, c.eventAggregator, c.settler, c.logSequencer].map(sub.deadLetter),
        sub.witnessAddCheckpoint("*"),
        `$KV.${buckets.audit}.>`,
        `${API}.INFO`,
        ...allStreams.flatMap(manage),
        ...durableConsumer(st.verdicts.name, c.aggregator),
        ...durableConsumer(st.verdicts.name, c.eventAggregator),
        ...durableConsumer(st.settlements.name, c.settler),
        ...durableConsumer(st.log.name, c.logSequencer),
        ...kvReader(buckets.audit),
        // Read-only: each stream's consumers and their backlog, for the metrics (coordinator/bus-backlog.ts).
        ...Object.values(st).map((s) => `${API}.CONSUMER.LIST.${s.name}`),
      ]),
      deny: ALWAYS_DENIED,
    },
    subscribe: {
      allow: [sub.heartbeatWildcard, sub.deadLetterWildcard, `${roleInbox({ kind: "coordinator" })}.>`],
      deny: [],
    },
  };
}

function validatorPermissions(t: Topology, id: string): RolePermissions {
  const { streams: st, subjects: sub, consumers: c, buckets } = t;
  const role: BusRole = { kind: "validator", id };
  const read = [st.payments, st.events, st.verdicts, st.deadLetters].map((s) => `${API}.STREAM.INFO.${s.name}`);
  return {
    publish: {
      allow: [
        sub.verdict(id),
        sub.eventVerdict(id),
        sub.heartbeat(id),
        sub.deadLetter(c.validator(id)),
        sub.deadLetter(c.validatorEvents(id)),
        `${API}.INFO`,
        ...read,
        ...durableConsumer(st.payments.name, c.validator(id)),
        ...durableConsumer(st.events.name, c.validatorEvents(id)),
        ...kvReader(buckets.audit),
      ],
      deny: ALWAYS_DENIED,
    },
    subscribe: {
      allow: [sub.witnessAddCheckpoint(id), `${roleInbox(role)}.>`],
      deny: [],
    },
    allow_responses: { max: 1 },
  };
}

/** One role's permissions, from the topology alone. */
export function busPermissions(t: Topology, role: BusRole): RolePermissions {
  return role.kind === "coordinator" ? coordinatorPermissions(t) : validatorPermissions(t, role.id);
}

/** nats-server's `authorization` block: one NKey user per role, each with its role's permissions. */
export function busAuthorization(t: Topology, users: { role: BusRole; nkey: string }[]): AuthorizationBlock {
  return { users: users.map((u) => ({ nkey: u.nkey, permissions: busPermissions(t, u.role) })) };
}

const AUTH_TIMEOUT_SECONDS = 10;

/** nats-server's configuration format accepts JSON values; quoted strings keep `$JS…` from reading as variables. */
export function natsServerConfig(authorization: AuthorizationBlock, storeDir?: string): string {
  return [
    "# Generated by `sentineliq keys init` / `sentineliq dev`: NKey users, least-privilege permissions per role",
    "# (lib/bus/permissions.ts). Anonymous connections are refused.",
    `jetstream: ${storeDir ? JSON.stringify({ store_dir: storeDir }) : "enabled"}`,
    // Seconds a client has to authenticate after connecting (nats-server's default, 2, is short on a loaded host).
    `authorization: ${JSON.stringify({ timeout: AUTH_TIMEOUT_SECONDS, ...authorization }, null, 2)}`,
    "",
  ].join("\n");
}

/** The permissions of each role as a Markdown table (the README's, printed by `sentineliq keys permissions`). */
export function permissionTable(t: Topology, validatorId = "vN"): string {
  const code = (xs: string[]) => xs.map((x) => `\`${x}\``).join(" ");
  const rows = ([{ kind: "coordinator" }, { kind: "validator", id: validatorId }] as BusRole[]).map((role) => {
    const p = busPermissions(t, role);
    const bus = p.publish.allow.filter((s) => !s.startsWith("$"));
    const api = p.publish.allow.filter((s) => s.startsWith("$"));
    const answers = p.allow_responses ? " (and answers requests made to it)" : "";
    return `| ${roleName(role)} | ${code(bus)}${answers} | ${code(api)} | ${code(p.subscribe.allow)} |`;
  });
  return [
    "| role (NKey user) | publishes on the bus | JetStream API, acks and KV | subscribes to |",
    "|---|---|---|---|",
    ...rows,
    `| every role | denied: ${code(ALWAYS_DENIED)} | | |`,
    "",
  ].join("\n");
}
