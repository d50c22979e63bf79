/**
 * The analytics dashboard on the wire: a time window cut into buckets, and for
 * the caller's organisation the payments' volume, decision mix, risk levels,
 * decision latency (p50/p95/p99) and most frequent reasons.
 */
import { z } from "zod";
import { Decisions, IsoTime, RiskLevels } from "./fields.ts";

export const AnalyticsBuckets = ["minute", "hour", "day"] as const;
export type AnalyticsBucket = (typeof AnalyticsBuckets)[number];
export const BUCKET_MS: Readonly<Record<AnalyticsBucket, number>> = {
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
};
/** A window holds at most this many buckets. */
export const MAX_ANALYTICS_BUCKETS = 1000;
/** Without `from`: this many buckets before `to`. */
const DEFAULT_BUCKETS: Readonly<Record<AnalyticsBucket, number>> = { minute: 60, hour: 24, day: 30 };

/**
 * `from` (inclusive) and `to` (exclusive) in UTC; default `to` now and `from` a
 * day (hour buckets), an hour (minute buckets) or 30 days (day buckets) before.
 * Parsed into a window that is never empty and never more than 1000 buckets.
 */
export const AnalyticsQuery = z
  .object({
    from: IsoTime.optional(),
    to: IsoTime.optional(),
    bucket: z.enum(AnalyticsBuckets).default("hour"),
  })
  .strict()
  .transform((q, ctx) => {
    const to = q.to ? Date.parse(q.to) : Date.now();
    const from = q.from ? Date.parse(q.from) : to - DEFAULT_BUCKETS[q.bucket] * BUCKET_MS[q.bucket];
    if (from >= to) {
      ctx.addIssue({ code: "custom", path: ["from"], message: "must be before to (default: now)" });
      return z.NEVER;
    }
    if ((to - from) / BUCKET_MS[q.bucket] > MAX_ANALYTICS_BUCKETS) {
      ctx.addIssue({
        code: "custom",
        path: ["bucket"],
        message: `the window holds more than ${MAX_ANALYTICS_BUCKETS} buckets of a ${q.bucket}: use a larger bucket or a shorter window`,
      });
      return z.NEVER;
    }
    return { from: new Date(from), to: new Date(to), bucket: q.bucket };
  });
export type AnalyticsQuery = z.output<typeof AnalyticsQuery>;

const Count = z.number().int().min(0);
const DecisionMix = z.object(
  Object.fromEntries(Decisions.map((d) => [d, Count])) as Record<(typeof Decisions)[number], typeof Count>,
);
const LevelMix = z.object(
  Object.fromEntries(RiskLevels.map((l) => [l, Count])) as Record<(typeof RiskLevels)[number], typeof Count>,
);
/** From received to decided, in milliseconds (null: nothing decided). */
const Latency = z.object({ p50: z.number().nullable(), p95: z.number().nullable(), p99: z.number().nullable() });

export const AnalyticsFigures = z.object({
  /** Payments received. */
  payments: Count,
  /** Of those, decided (the rest are still being evaluated, or failed). */
  decided: Count,
  decisions: DecisionMix,
  risk_levels: LevelMix,
  latency_ms: Latency,
});
export type AnalyticsFigures = z.infer<typeof AnalyticsFigures>;

/** The organisation's authentication and behaviour events in the window. */
export const AnalyticsEvents = z.object({
  total: Count,
  /** By kind (login_success, password_change, …): how many, and how many were decided each way. */
  by_kind: z.array(z.object({ kind: z.string(), count: Count, decisions: DecisionMix })),
});
export type AnalyticsEvents = z.infer<typeof AnalyticsEvents>;

export const AnalyticsDashboard = z.object({
  from: IsoTime,
  to: IsoTime,
  bucket: z.enum(AnalyticsBuckets),
  totals: AnalyticsFigures,
  /** The reasons given most often (code and how many payments carried it), at most 10. */
  top_reasons: z.array(z.object({ code: z.string(), count: Count })),
  events: AnalyticsEvents,
  /** One entry per bucket from the one holding `from` to the one holding the end of the window, empty ones too. */
  series: z.array(AnalyticsFigures.extend({ start: IsoTime })),
});
export type AnalyticsDashboard = z.infer<typeof AnalyticsDashboard>;
