/** A data-subject export: everything the store holds about one subject of an organisation, as one JSON document. */
import type { Db, Row } from "../../lib/db.ts";
import { SiqError, subjectHash, type SubjectExport } from "../../protocol/index.ts";
import { erasedBefore, privacyKey } from "./erase.ts";
import { heldRows, subjectEntries, type Subject } from "./subjects.ts";

const plain = (r: Row): Record<string, unknown> =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]));

export async function exportSubject(db: Db, s: Subject): Promise<SubjectExport> {
  const held = await heldRows(db, s);
  const entries = await subjectEntries(db, s, held);
  const none = held.payments.length + held.events.length + held.users.length + entries.length === 0;
  // Nothing held: an erased subject's export is empty; a subject never held (or another organisation's) is a 404.
  if (none && !(await erasedBefore(db, s.tenant, subjectHash(await privacyKey(db, s.tenant), s.kind, s.id))))
    throw new SiqError("NOT_FOUND", `your organisation holds nothing about ${s.kind} ${s.id}`);
  return {
    subject: { kind: s.kind, id: s.id },
    organization: s.org,
    exported_at: new Date().toISOString(),
    payments: held.payments.map(plain),
    settlements: held.settlements.map(plain),
    events: held.events.map(plain),
    users: held.users.map(plain),
    log_entries: entries.map((e) => ({
      index: e.idx,
      type: e.type,
      entry: JSON.parse(e.entry.toString("utf8")) as unknown,
    })),
  };
}
