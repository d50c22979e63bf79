/**
 * A validator's own metrics (prom-client) and the small HTTP listener that
 * serves them at `GET /metrics` (config `metricsListen`): evaluations by kind
 * and risk level, how long scoring takes, events by kind. Names end in their unit.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Histogram, Registry } from "prom-client";
import { collectProcessMetrics } from "../lib/process-metrics.ts";
import type { Logger } from "../lib/logger.ts";
import type { EvaluationTask, EventTask, EventVerdict, Verdict } from "../protocol/index.ts";
import { parseListen } from "./witness-http.ts";

export type ValidatorMetrics = ReturnType<typeof createValidatorMetrics>;

export function createValidatorMetrics(validator: string, register = new Registry()) {
  register.setDefaultLabels({ validator });
  collectProcessMetrics(register, "siq_node_");
  return {
    register,
    evaluations: new Counter({
      name: "siq_node_evaluations_total",
      help: "Verdicts this validator signed, by what it judged (payment or event) and the risk level it gave",
      labelNames: ["kind", "risk_level"] as const,
      registers: [register],
    }),
    scoreSeconds: new Histogram({
      name: "siq_node_score_duration_seconds",
      help: "Time to score one payment or event",
      labelNames: ["kind"] as const,
      buckets: [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
      registers: [register],
    }),
    events: new Counter({
      name: "siq_node_events_total",
      help: "Events scored, by kind (login, password_change, …)",
      labelNames: ["event_kind"] as const,
      registers: [register],
    }),
  };
}

/** The scorers, counted and timed. */
export function measured(
  m: ValidatorMetrics,
  score: { payment: (t: EvaluationTask, now: Date) => Verdict; event: (t: EventTask, now: Date) => EventVerdict },
) {
  const time = <T extends { risk_level: string }>(kind: "payment" | "event", f: () => T): T => {
    const stop = m.scoreSeconds.startTimer({ kind });
    const v = f();
    stop();
    m.evaluations.inc({ kind, risk_level: v.risk_level });
    return v;
  };
  return {
    payment: (t: EvaluationTask, now: Date) => time("payment", () => score.payment(t, now)),
    event: (t: EventTask, now: Date) => {
      m.events.inc({ event_kind: t.event.kind });
      return time("event", () => score.event(t, now));
    },
  };
}

export interface MetricsHttp {
  /** e.g. http://127.0.0.1:9301 (GET <url>/metrics). */
  url: string;
  close(): Promise<void>;
}

/** `GET /metrics` on host:port (port 0: any free port; none: not served); anything else is a 404, another method a 405. */
export async function serveMetrics(
  listen: string | undefined,
  register: Registry,
  logger: Logger,
): Promise<MetricsHttp | undefined> {
  if (listen === undefined) return undefined;
  const { host, port } = parseListen(listen);
  const server = createServer({ headersTimeout: 5_000, requestTimeout: 10_000 }, (req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== "/metrics") return void res.writeHead(404).end("not found\n");
    if (req.method !== "GET" && req.method !== "HEAD")
      return void res.writeHead(405, { allow: "GET, HEAD" }).end("method not allowed\n");
    register.metrics().then(
      (text) => res.writeHead(200, { "content-type": register.contentType }).end(text),
      (err: unknown) => {
        logger.error({ err }, "metrics failed");
        res.writeHead(500).end("metrics failed\n");
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address() as AddressInfo;
  const shown = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shown}:${addr.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
