/**
 * `sentineliq rules test <dir>`: YAML test cases kept beside the rules
 * (`*.test.yaml`). Each case replays a few payments and events, in order, on
 * a fresh validator state, and checks the level, reasons and challenge of the
 * steps that say what they expect.
 *
 *   cases:
 *     - name: third payment just below the threshold
 *       steps:
 *         - payment: { amount: "9500.00", sender: "@mule" }
 *         - payment: { amount: "9600.00", sender: "@mule" }
 *           after: 10m
 *           expect: { level: HIGH, reasons: [STRUCTURING] }
 *
 * "@name" stands for a Solana address made from the name, so cases read well.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LineCounter, parseDocument } from "yaml";
import { z } from "zod";
import { PackSchedule, scoreFacts, ValidatorState } from "../../node/index.ts";
import { ChallengeKind, EventRequest, PaymentRequest, RiskLevel, sha256 } from "../../protocol/index.ts";
import {
  eventFacts,
  parseDuration,
  paymentFacts,
  RuleError,
  type CompiledPack,
  locator,
  yamlError,
  zodError,
} from "../../rules/index.ts";
import { getAddressDecoder } from "@solana/kit";

const Expect = z
  .object({
    level: RiskLevel.optional(),
    reasons: z.array(z.string()).optional(),
    not_reasons: z.array(z.string()).optional(),
    challenge: z.array(ChallengeKind).optional(),
  })
  .strict();
const Step = z
  .object({
    payment: z.record(z.string(), z.unknown()).optional(),
    event: z.record(z.string(), z.unknown()).optional(),
    tenant: z.string().optional(),
    /** Time since the previous step (default 1s). */
    after: z.string().optional(),
    /** Repeat this step n times (only the last is checked). */
    repeat: z.number().int().min(1).max(1000).optional(),
    expect: Expect.optional(),
  })
  .strict()
  .refine((s) => (s.payment === undefined) !== (s.event === undefined), "a step is one payment or one event");
const CaseFile = z
  .object({ cases: z.array(z.object({ name: z.string(), steps: z.array(Step).min(1) }).strict()) })
  .strict();

export interface CaseResult {
  file: string;
  name: string;
  ok: boolean;
  problems: string[];
}

const START = Date.parse("2025-01-06T10:00:00Z");

export function testFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => /\.test\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

export function runCaseFile(file: string, pack: CompiledPack): CaseResult[] {
  const text = readFileSync(file, "utf8");
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  if (doc.errors[0]) throw yamlError(file, lines, doc.errors[0]);
  const parsed = CaseFile.safeParse(doc.toJS());
  if (!parsed.success) throw zodError(locator(file, doc, lines), parsed.error);
  const at = locator(file, doc, lines);
  return parsed.data.cases.map((c, ci) => {
    const state = new ValidatorState();
    const scorer = { state, packs: new PackSchedule(pack) };
    let time = START;
    let n = 0;
    const problems: string[] = [];
    c.steps.forEach((step, si) => {
      for (let r = 0; r < (step.repeat ?? 1); r++) {
        time += step.after ? parseDuration(step.after) : 1000;
        const origin = { tenant_id: step.tenant ?? "tenant", id: `case-${ci}-${n++}`, time };
        const where = `${file}:${at(["cases", ci, "steps", si]).line}`;
        const facts = step.payment
          ? paymentFacts(parse(PaymentRequest, { ...defaultPayment(n), ...addresses(step.payment) }, where), origin)
          : eventFacts(parse(EventRequest, { event_id: `e${n}`, ip: "203.0.113.7", ...step.event }, where), origin);
        const { result } = scoreFacts(scorer, facts);
        if (!step.expect || r < (step.repeat ?? 1) - 1) continue;
        const codes = result.reasons.map((x) => x.code);
        const e = step.expect;
        const got = `${result.risk_level} [${codes.join(", ")}]`;
        if (e.level && e.level !== result.risk_level) problems.push(`${where}: expected ${e.level}, got ${got}`);
        for (const code of e.reasons ?? [])
          if (!codes.includes(code)) problems.push(`${where}: expected reason ${code}, got ${got}`);
        for (const code of e.not_reasons ?? [])
          if (codes.includes(code)) problems.push(`${where}: reason ${code} should not fire, got ${got}`);
        for (const k of e.challenge ?? [])
          if (!result.challenge_kinds?.includes(k))
            problems.push(`${where}: expected a ${k} challenge, got ${result.challenge_kinds?.join(", ") ?? "none"}`);
      }
    });
    return { file, name: c.name, ok: problems.length === 0, problems };
  });
}

function parse<T>(schema: z.ZodType<T>, input: unknown, where: string): T {
  const r = schema.safeParse(input);
  if (!r.success)
    throw new RuleError(
      where.split(":")[0]!,
      Number(where.split(":")[1]),
      1,
      `step input: ${r.error.issues[0]?.path.join(".")}: ${r.error.issues[0]?.message}`,
    );
  return r.data;
}

/** "@name" → a fixed Solana address for that name. */
export function nameAddress(name: string): string {
  return getAddressDecoder().decode(sha256(`sentineliq-test:${name}`));
}

function addresses(p: Record<string, unknown>): Record<string, unknown> {
  const out = { ...p };
  for (const k of ["sender", "receiver"])
    if (typeof out[k] === "string" && out[k].startsWith("@")) out[k] = nameAddress(out[k].slice(1));
  if (typeof out.trace_context === "object" && out.trace_context) {
    const tc = { ...(out.trace_context as Record<string, unknown>) };
    if (typeof tc.purpose === "string")
      tc.purpose = tc.purpose.replace(/@([a-z0-9_-]+)/g, (_, n: string) => nameAddress(n));
    out.trace_context = tc;
  }
  return out;
}

function defaultPayment(n: number): Record<string, unknown> {
  return {
    idempotency_key: `case-${n}`,
    agent_id: "agent-1",
    sender: nameAddress("agent-wallet"),
    receiver: nameAddress(`merchant-${n}`),
    amount: "12.50",
    currency: "USDC",
    debug_mode: true,
    trace_context: { purpose: "pay invoice 7781", steps: ["fetched invoice 7781"] },
    func_stack_hashes: ["e57eb157d61a56f8d32a82fa47d04e96e531734430c80f6cb6b38d49137429f0"],
    metadata: { country_code: "DE" },
  };
}
