/**
 * Every /metrics passes `promtool check metrics` (Debian's prometheus package; .ci/run installs it, and a
 * machine without promtool fails here rather than skipping): the coordinator's and a validator's, after real
 * traffic. The metrics the dashboards and alerts read are there with their labels: HTTP latency per route and
 * status, errors by code, authentication results, events by kind, database query durations, stream
 * consumer backlogs, settlement outcomes, and each validator's evaluations.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { until } from "./helpers/cli.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";

/** promtool's verdict on an exposition: its exit status and what it printed. */
function promtoolCheckMetrics(text: string): { status: number | null; output: string } {
  const r = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
  if (r.error) throw new Error(`promtool is not installed (apt-get install -y prometheus): ${r.error.message}`);
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

describe("metrics", () => {
  let net: TestNetwork;
  const text = async (url: string) => (await fetch(url)).text();
  beforeAll(async () => {
    net = await startNetwork({ store: "pglite", validatorConfig: { metricsListen: "127.0.0.1:0" } });
    expect((await net.post(net.payment())).status).toBe(200);
    const event = {
      event_id: `ev-${randomBytes(4).toString("hex")}`,
      kind: "login_success",
      user_id: "u-1",
      ip: "203.0.113.7",
    };
    expect((await net.request("POST", "/v1/events", event)).status).toBe(200);
    expect((await net.get("/v1/payments/pay_missing", "siq_unknown_key_0123456789")).status).toBe(401);
    expect((await net.get("/v1/payments/pay_missing")).status).toBe(404);
    const login = { email: "nobody@metrics.test", password: "not the password" };
    expect((await net.request("POST", "/v1/auth/login", login)).status).toBe(401);
  }, 120_000);
  afterAll(async () => {
    await net?.stop();
  });

  it("the coordinator's /metrics passes promtool check metrics and holds every kind of figure", async () => {
    // The backlog gauges are read every few seconds.
    await until(async () => (await text(`${net.url}/metrics`)).includes("siq_bus_consumer_pending_messages{"));
    const body = await text(`${net.url}/metrics`);
    expect(promtoolCheckMetrics(body)).toEqual({ status: 0, output: "" });
    const expected = [
      /siq_http_request_duration_seconds_bucket\{le="[^"]+",method="POST",route="\/v1\/payments",status="200"\}/,
      /siq_http_errors_total\{method="GET",route="\/v1\/payments\/:payment_id",status="401",code="UNAUTHENTICATED"\} 1/,
      /siq_http_errors_total\{method="GET",route="\/v1\/payments\/:payment_id",status="404",code="NOT_FOUND"\} 1/,
      /siq_auth_attempts_total\{auth="agent",result="success"\} [1-9]/,
      /siq_auth_attempts_total\{auth="agent",result="failure"\} 1/,
      /siq_auth_attempts_total\{auth="login",result="failure"\} 1/,
      /siq_events_total\{kind="login_success"\} 1/,
      /siq_event_decisions_total\{kind="login_success",decision="approve"\} 1/,
      /siq_db_query_duration_seconds_count\{statement="insert",result="ok"\} [1-9]/,
      new RegExp(
        `siq_bus_consumer_pending_messages\\{stream="${net.namespace.toUpperCase()}_V1_PAYMENTS",consumer="validator-v1"\\} \\d`,
      ),
      new RegExp(
        `siq_bus_consumer_lag_messages\\{stream="${net.namespace.toUpperCase()}_V1_VERDICTS",consumer="aggregator"\\} \\d`,
      ),
      /siq_settlements_total\{network="simulated",status="settled",code="[^"]*"\} 1/,
    ];
    for (const re of expected) expect(body, String(re)).toMatch(re);
  });

  it("every validator serves its own /metrics, which passes promtool check metrics", async () => {
    for (const v of net.validators) {
      expect(v.metricsHttp?.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const body = await text(`${v.metricsHttp!.url}/metrics`);
      expect(promtoolCheckMetrics(body)).toEqual({ status: 0, output: "" });
      expect(body).toMatch(
        new RegExp(`siq_node_evaluations_total\\{kind="payment",risk_level="LOW",validator="${v.id}"\\} 1`),
      );
      expect(body).toMatch(new RegExp(`siq_node_events_total\\{event_kind="login_success",validator="${v.id}"\\} 1`));
      expect(body).toMatch(/siq_node_score_duration_seconds_count\{validator="v\d",kind="event"\} [1-9]/);
    }
  });

  it("a validator's metrics listener serves nothing else", async () => {
    const url = net.validators[0]!.metricsHttp!.url;
    expect((await fetch(`${url}/`)).status).toBe(404);
    expect((await fetch(`${url}/metrics/../../etc/passwd`)).status).toBe(404);
    expect((await fetch(`${url}/metrics`, { method: "POST", body: "x" })).status).toBe(405);
  });

  it("promtool refuses a malformed exposition (the check has teeth)", () => {
    expect(promtoolCheckMetrics('# TYPE x counter\nx{a="1" 1\n').status).not.toBe(0);
    expect(
      promtoolCheckMetrics("# HELP siq_things_total x\n# TYPE siq_things_total counter\nsiq_things 1\n").status,
    ).not.toBe(0);
  });
});
