/**
 * `sentineliq audit`: hash the tagged payment functions in source files
 * (exactly as the agent SDK does at run time), submit them, and, with an
 * auditor's key, approve, revoke, list and show registry records.
 */
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import {
  loadKeyFile,
  signAuditStatement,
  type AuditList,
  type AuditRecord,
  type SignedAuditStatement,
  type WireError,
} from "../../protocol/index.ts";
import { extractTaggedFunctions, type ExtractedFunction } from "../../sdk/src/index.ts";
import { call, type Target } from "../shared/client.ts";
import { resolveAuditorTarget, resolveTarget } from "../shared/credentials.ts";
import { env } from "../shared/env.ts";
import { progress } from "../shared/progress.ts";

const out = (s: string) => process.stdout.write(s + "\n");
const err = (s: string) => process.stderr.write(s + "\n");

/** Reads and hashes every tagged function; problems go to stderr. */
export function hashFiles(files: string[]): { functions: ExtractedFunction[]; problems: number } {
  const functions: ExtractedFunction[] = [];
  let problems = 0;
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (e) {
      err(`✗ ${file}: ${(e as Error).message}`);
      problems++;
      continue;
    }
    const r = extractTaggedFunctions(relative(process.cwd(), file) || file, text);
    functions.push(...r.functions);
    for (const p of r.problems) err(`✗ ${p.file}:${p.line}:${p.column}: ${p.message}`);
    problems += r.problems.length;
  }
  return { functions, problems };
}

export function runAuditHash(files: string[], flags: { json?: boolean }): number {
  const { functions, problems } = hashFiles(files);
  if (flags.json) out(JSON.stringify(functions.map(({ normalised: _, ...f }) => f)));
  else for (const f of functions) out(`${f.hash}  ${f.name}  ${f.file}:${f.line}`);
  if (functions.length === 0 && problems === 0) err("no paymentFunction(...) found in the given files");
  return problems > 0 || functions.length === 0 ? 1 : 0;
}

export async function runAuditSubmit(
  files: string[],
  flags: { url?: string; apiKey?: string; json?: boolean },
): Promise<number> {
  const target = resolveTarget(flags);
  const { functions, problems } = hashFiles(files);
  const bar = progress("submitting", functions.length);
  const records: AuditRecord[] = [];
  let failed = 0;
  for (const f of functions) {
    const res = await call(target, "auditSubmit", { body: { code_hash: f.hash, name: f.name, source: f.normalised } });
    bar.tick();
    if (res.status === 200) records.push(res.body as AuditRecord);
    else {
      failed++;
      err(`✗ ${f.name} (${f.file}:${f.line}): ${describe(res)}`);
    }
  }
  bar.done();
  if (flags.json) out(JSON.stringify(records.map(({ source: _, ...r }) => r)));
  else
    for (const r of records)
      out(`${mark(r.state)} ${r.code_hash}  ${r.state.padEnd(8)}  ${r.name}${r.created ? "  (new)" : ""}`);
  return problems + failed > 0 || functions.length === 0 ? 1 : 0;
}

export async function runAuditDecide(
  action: "approve" | "revoke",
  hash: string,
  flags: { url?: string; auditorKey?: string; signingKey?: string; note?: string; reason?: string; json?: boolean },
): Promise<number> {
  const target = resolveAuditorTarget(flags);
  const note = action === "approve" ? flags.note : (flags.reason ?? "");
  const keyFile = flags.signingKey ?? env.auditorSigningKey;
  const signed = keyFile ? statement(keyFile, action, hash, note) : undefined;
  const withSigned = signed ? { signed } : {};
  const res =
    action === "approve"
      ? await call(target, "auditApprove", {
          params: { code_hash: hash },
          body: { ...(note ? { note } : {}), ...withSigned },
        })
      : await call(target, "auditRevoke", { params: { code_hash: hash }, body: { reason: note ?? "", ...withSigned } });
  return show(res, flags.json);
}

/** The auditor's own statement of the decision, signed with their key file (its id is their id in the auditor set). */
function statement(
  keyFile: string,
  action: "approve" | "revoke",
  hash: string,
  note: string | undefined,
): SignedAuditStatement {
  const key = loadKeyFile(keyFile);
  return signAuditStatement(key.signer, {
    type: "sentineliq.audit_statement.v1",
    code_hash: hash,
    action,
    auditor_id: key.id,
    ...(note ? { note } : {}),
    signed_at: new Date().toISOString(),
  });
}

export async function runAuditList(flags: {
  url?: string;
  auditorKey?: string;
  apiKey?: string;
  state?: string;
  json?: boolean;
}): Promise<number> {
  const target = readerTarget(flags);
  const records: AuditRecord[] = [];
  for (let after: string | undefined; ;) {
    const res = await call(target, "auditList", {
      query: { limit: 500, ...(flags.state ? { state: flags.state } : {}), ...(after ? { after } : {}) },
    });
    if (res.status !== 200) return fail(res);
    const page = res.body as AuditList;
    records.push(...page.records);
    if (!page.next) break;
    after = page.next;
  }
  if (flags.json) out(JSON.stringify(records));
  else {
    for (const r of records)
      out(`${mark(r.state)} ${r.code_hash}  ${r.state.padEnd(8)}  ${r.name}${r.note ? `  — ${r.note}` : ""}`);
    out(`${records.length} record${records.length === 1 ? "" : "s"}`);
  }
  return 0;
}

export async function runAuditShow(
  hash: string,
  flags: { url?: string; auditorKey?: string; apiKey?: string; json?: boolean },
): Promise<number> {
  const res = await call(readerTarget(flags), "auditGet", { params: { code_hash: hash } });
  if (res.status !== 200 || flags.json) return show(res, flags.json);
  const r = res.body as AuditRecord;
  out(`${mark(r.state)} ${r.code_hash}  ${r.state}  ${r.name}  (log index ${r.log_index}, updated ${r.updated_at})`);
  if (r.note) out(`  note: ${r.note}`);
  out("");
  out((r.source ?? "").replace(/^/gm, "  "));
  return 0;
}

/** Listing works with either key: an auditor sees everything, an agent its own submissions. */
function readerTarget(flags: { url?: string; auditorKey?: string; apiKey?: string }): Target {
  try {
    return flags.apiKey ? resolveTarget(flags) : resolveAuditorTarget(flags);
  } catch {
    return resolveTarget(flags);
  }
}

function show(res: { status: number; body: unknown; text: string }, json?: boolean): number {
  if (res.status !== 200) return fail(res);
  if (json) out(res.text);
  else {
    const r = res.body as AuditRecord;
    out(`${mark(r.state)} ${r.code_hash}  ${r.state}  ${r.name}  (log index ${r.log_index})`);
  }
  return 0;
}

function fail(res: { status: number; body: unknown; text: string }): number {
  err(`✗ ${describe(res)}`);
  return 1;
}

function describe(res: { status: number; body: unknown; text: string }): string {
  const e = res.body as Partial<WireError>;
  return e && typeof e === "object" && e.code
    ? `${res.status} ${e.code}: ${e.message}`
    : `HTTP ${res.status} ${res.text.slice(0, 200)}`;
}

const mark = (state: string) => (state === "approved" ? "✓" : state === "revoked" ? "✗" : "?");
