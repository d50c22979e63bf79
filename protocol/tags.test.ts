/**
 * One style for type tags, written only from the catalogue's current tags;
 * the legacy tags the v2s replaced are still read where old log entries and
 * bus messages are.
 */
import { globSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { LogAppend } from "./log/append.ts";
import { AuditStateValue } from "./schemas/audit.ts";
import { ChallengeRecord } from "./schemas/challenge.ts";
import { LegacyTags, readTag, TYPE_TAG_STYLE, TypeTags } from "./tags.ts";

const ROOT = join(import.meta.dirname, "..");
const current = new Set<string>(Object.values(TypeTags));
const legacy = new Set<string>(Object.values(LegacyTags));

/** Every quoted "sentineliq.<name>.v<N>" in the non-test sources, with where it stands. */
function tagsInSource(): { tag: string; at: string }[] {
  const files = globSync("{bin,cli,coordinator,lib,node,protocol,rules,sdk/src}/**/*.ts", { cwd: ROOT });
  return files
    .filter((f) => !f.endsWith(".test.ts") && f !== join("protocol", "tags.ts"))
    .flatMap((f) =>
      readFileSync(join(ROOT, f), "utf8")
        .split("\n")
        .flatMap((line, i) =>
          [...line.matchAll(/["'`](sentineliq\.[A-Za-z0-9_.-]+?\.v\d+)\b/g)].map((m) => ({
            tag: m[1]!,
            at: `${f}:${i + 1}`,
          })),
        ),
    );
}

describe("type tags", () => {
  it("are all in one style, distinct, and never a legacy tag", () => {
    for (const tag of current) expect(tag).toMatch(TYPE_TAG_STYLE);
    expect(current.size).toBe(Object.keys(TypeTags).length);
    for (const tag of legacy) expect(current.has(tag), tag).toBe(false);
  });

  it("are written in the sources only as catalogued current tags", () => {
    const found = tagsInSource();
    expect(found.length).toBeGreaterThan(10);
    expect(found.filter((f) => !current.has(f.tag))).toEqual([]);
  });

  it("a written legacy tag would be caught (the scan sees through quotes of any kind)", () => {
    const line = 'const t = "sentineliq.logappend.v1"; const u = `sentineliq.auditstate.v1`;';
    const tags = [...line.matchAll(/["'`](sentineliq\.[A-Za-z0-9_.-]+?\.v\d+)\b/g)].map((m) => m[1]!);
    expect(tags.filter((t) => !current.has(t))).toEqual([LegacyTags.log_append, LegacyTags.audit_state]);
  });

  it("reads a replaced tag and the tag that replaced it, and no other", () => {
    const t = readTag("log_append");
    expect(t.safeParse(TypeTags.log_append).success).toBe(true);
    expect(t.safeParse(LegacyTags.log_append).success).toBe(true);
    expect(t.safeParse("sentineliq.log_append.v1").success).toBe(false);
    expect(t.safeParse(TypeTags.audit_state).success).toBe(false);
  });
});

describe("messages and entries under a legacy tag", () => {
  const entry = Buffer.from('{"type":"x.v1"}').toString("base64");

  it("a log-append message from before v2 is still accepted", () => {
    for (const type of [TypeTags.log_append, LegacyTags.log_append])
      expect(LogAppend.safeParse({ type, key: "k", entry }).success, type).toBe(true);
  });

  it("a registry value published before v2 is still read", () => {
    const v = { code_hash: "a".repeat(64), state: "approved", log_index: 3, updated_at: "2026-01-01T00:00:00.000Z" };
    for (const type of [TypeTags.audit_state, LegacyTags.audit_state])
      expect(AuditStateValue.safeParse({ type, ...v }).success, type).toBe(true);
    expect(AuditStateValue.safeParse({ type: "sentineliq.audit_state.v1", ...v }).success).toBe(false);
  });

  it("challenge records logged before v2 still parse, each with its own fields", () => {
    const expired = { payment_id: "pay_1", challenge_id: "c", expired_at: "2026-01-01T00:00:00.000Z" };
    expect(ChallengeRecord.safeParse({ type: LegacyTags.challenge_expired, ...expired }).success).toBe(true);
    expect(ChallengeRecord.safeParse({ type: LegacyTags.challenge_response, ...expired }).success).toBe(false);
  });
});
