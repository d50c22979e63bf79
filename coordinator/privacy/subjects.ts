/**
 * What the store holds about one data subject of one organisation (tenant):
 * - an agent: its payments (and their settlements), its events;
 * - an account address: the payments it sent or received (and settlements);
 * - a user (id or email): the person's row and sessions, and its events
 *   (login events: IP address, device, place);
 * and, for each, the log entries about it: those of its payments and events,
 * and any entry of the organisation whose bytes name it as a JSON string
 * (never equivocation evidence or validator exclusions, which are about validators, nor erasure entries).
 */
import type { Queryable, Row } from "../../lib/db.ts";
import { TOMBSTONE_TYPE, TypeTags, type SubjectKind } from "../../protocol/index.ts";
import { OWNED } from "../log/index.ts";

export interface Subject {
  tenant: string;
  org: string;
  kind: SubjectKind;
  id: string;
}

export interface Held {
  payments: Row[];
  settlements: Row[];
  events: Row[];
  users: Row[];
}

const PAYMENTS: Record<SubjectKind, string> = {
  agent: "tenant_id = $1 AND agent_id = $2",
  account: "tenant_id = $1 AND (request->>'sender' = $2 OR request->>'receiver' = $2)",
  user: "false AND tenant_id = $1 AND agent_id = $2",
};

/** The subject's operational rows (users without their password hash). */
export async function heldRows(q: Queryable, s: Subject): Promise<Held> {
  const payments = await q.query(`SELECT * FROM siq_payments WHERE ${PAYMENTS[s.kind]} ORDER BY created_at`, [
    s.tenant,
    s.id,
  ]);
  const ids = JSON.stringify(payments.map((p) => p.payment_id));
  const settlements = await q.query(
    "SELECT * FROM siq_settlements WHERE payment_id IN (SELECT jsonb_array_elements_text($1::jsonb))",
    [ids],
  );
  const users =
    s.kind === "user"
      ? await q.query(
          `SELECT id, org_id, email, role, display_name, email_verified, active, created_at, deactivated_at
           FROM siq_users WHERE org_id = $1 AND (id = $2 OR email = $2)`,
          [s.org, s.id],
        )
      : [];
  // An agent's events, or a person's (login events name the account by id, with the IP address and device).
  const events =
    s.kind === "user"
      ? await q.query(
          `SELECT * FROM siq_events WHERE tenant_id = $1
           AND request->>'user_id' IN (SELECT jsonb_array_elements_text($2::jsonb)) ORDER BY received_at`,
          [s.tenant, JSON.stringify([s.id, ...users.map((u) => String(u.id))])],
        )
      : await q.query(
          "SELECT * FROM siq_events WHERE tenant_id = $1 AND request->>'agent_id' = $2 ORDER BY received_at",
          [s.tenant, s.kind === "agent" ? s.id : null],
        );
  return { payments, settlements, events, users };
}

/** The log entries about the subject not yet erased: index, type and bytes. */
export async function subjectEntries(
  q: Queryable,
  s: Subject,
  held: Held,
): Promise<{ idx: number; type: string; entry: Buffer }[]> {
  const payments = JSON.stringify(held.payments.map((p) => p.payment_id));
  const eventKeys = JSON.stringify(held.events.map((e) => `event:${String(e.event_ref)}`));
  // The subject as a JSON string: its id as given, and a person's account id and address too.
  const names = [...new Set([s.id, ...held.users.flatMap((u) => [String(u.id), String(u.email)])])];
  const needles = JSON.stringify(names.map((n) => JSON.stringify(n)));
  const rows = await q.query<{ idx: string; entry_type: string; entry: Buffer }>(
    `SELECT e.idx, e.entry_type, e.entry FROM siq_log_entries e
     WHERE e.entry_type NOT IN ($5, $6, $7, $8) AND (
       e.payment_id IN (SELECT jsonb_array_elements_text($1::jsonb))
       OR e.entry_key IN (SELECT jsonb_array_elements_text($2::jsonb))
       OR (EXISTS (SELECT 1 FROM jsonb_array_elements_text($4::jsonb) n
                   WHERE position(convert_to(n, 'UTF8') in e.entry) > 0) AND ${OWNED}))
     ORDER BY e.idx`,
    // Equivocation evidence and validator exclusions are about validators, and the exclusion replay needs them;
    // erasure entries are the record of erasures (they name their actor by id, never a subject).
    [
      payments,
      eventKeys,
      s.tenant,
      needles,
      TOMBSTONE_TYPE,
      TypeTags.equivocation,
      TypeTags.validator_status,
      TypeTags.erasure,
    ],
  );
  return rows.map((r) => ({ idx: Number(r.idx), type: r.entry_type, entry: r.entry }));
}
