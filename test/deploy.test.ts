/**
 * deploy/: Prometheus's config and alert rules pass promtool (`check config` reads the rule files too);
 * every metric an alert or a Grafana panel queries is one the coordinator or a validator registers; the
 * five dashboards exist; Prometheus scrapes the coordinator and every validator of the compose file.
 * promtool comes from Debian's prometheus package (.ci/run installs it): without it this test fails.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createMetrics } from "../coordinator/metrics.ts";
import { createSettlementMetrics } from "../coordinator/settlement/metrics.ts";
import { createValidatorMetrics } from "../node/metrics.ts";

const ROOT = join(import.meta.dirname, "..");
const DEPLOY = join(ROOT, "deploy");
const DASHBOARDS = join(DEPLOY, "grafana", "dashboards");

function promtool(...args: string[]): { status: number | null; output: string } {
  const r = spawnSync("promtool", args, { encoding: "utf8" });
  if (r.error) throw new Error(`promtool is not installed (apt-get install -y prometheus): ${r.error.message}`);
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

/** Every series name the processes expose: counters and gauges as named, histograms with their suffixes. */
async function exposedNames(): Promise<Set<string>> {
  const coordinator = createMetrics(new Registry());
  createSettlementMetrics(coordinator.register);
  const node = createValidatorMetrics("v1", new Registry());
  const names = new Set<string>();
  for (const r of [coordinator.register, node.register])
    for (const m of await r.getMetricsAsJSON()) {
      names.add(m.name);
      if (String(m.type) === "histogram") for (const s of ["_bucket", "_sum", "_count"]) names.add(m.name + s);
      if (String(m.type) === "summary") for (const s of ["_sum", "_count"]) names.add(m.name + s);
    }
  return names;
}

/** The metric names a PromQL expression reads (ours all start with siq_; `up` is Prometheus's own). */
const metricsIn = (expr: string) => [...expr.matchAll(/\b(siq_[a-z0-9_]+)\b/g)].map((m) => m[1]!);

interface Rules {
  groups: { name: string; rules: { alert: string; expr: string }[] }[];
}
interface Dashboard {
  title: string;
  uid: string;
  panels: { title: string; targets: { expr: string }[] }[];
}

const rules = (): Rules => parse(readFileSync(join(DEPLOY, "prometheus", "alerts.yml"), "utf8")) as Rules;
const dashboards = (): [string, Dashboard][] =>
  readdirSync(DASHBOARDS)
    .filter((f) => f.endsWith(".json"))
    .map((f) => [f, JSON.parse(readFileSync(join(DASHBOARDS, f), "utf8")) as Dashboard]);

describe("deploy/", () => {
  it("alert rules pass promtool check rules", () => {
    const r = promtool("check", "rules", join(DEPLOY, "prometheus", "alerts.yml"));
    expect(r.output).toMatch(/SUCCESS: \d+ rules found/);
    expect(r.status).toBe(0);
  });

  it("Prometheus's config passes promtool check config, scraping the coordinator and every compose validator", () => {
    // The compose file mounts deploy/prometheus at /etc/prometheus/rules: point the copy at the folder here.
    const text = readFileSync(join(DEPLOY, "prometheus.yml"), "utf8");
    const dir = mkdtempSync(join(tmpdir(), "siq-prom-"));
    writeFileSync(join(dir, "prometheus.yml"), text.replace("/etc/prometheus/rules", join(DEPLOY, "prometheus")));
    const r = promtool("check", "config", join(dir, "prometheus.yml"));
    expect(r.output).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
    const config = parse(text) as { scrape_configs: { static_configs: { targets: string[] }[] }[] };
    const targets = config.scrape_configs.flatMap((s) => s.static_configs.flatMap((c) => c.targets));
    const compose = parse(readFileSync(join(ROOT, "docker-compose.yml"), "utf8")) as {
      services: Record<string, { command?: string[] }>;
    };
    const validators = Object.entries(compose.services).filter(([, s]) => s.command?.[0] === "node");
    expect(validators.length).toBeGreaterThanOrEqual(4);
    for (const [name, s] of validators) {
      const listen = s.command![s.command!.indexOf("--metrics-listen") + 1];
      expect(listen, name).toMatch(/^0\.0\.0\.0:\d+$/);
      expect(targets, name).toContain(`${name}:${listen!.split(":")[1]}`);
    }
    expect(targets).toContain("coordinator:8080");
  });

  it("every metric an alert or a dashboard queries exists in the coordinator's or a validator's registry", async () => {
    const names = await exposedNames();
    const used: [string, string][] = [
      ...rules().groups.flatMap((g) =>
        g.rules.flatMap((r) => metricsIn(r.expr).map((m): [string, string] => [r.alert, m])),
      ),
      ...dashboards().flatMap(([file, d]) =>
        d.panels.flatMap((p) =>
          p.targets.flatMap((t) => metricsIn(t.expr).map((m): [string, string] => [`${file}: ${p.title}`, m])),
        ),
      ),
    ];
    expect(used.length).toBeGreaterThan(40);
    expect(used.filter(([, m]) => !names.has(m))).toEqual([]);
    // The check has teeth: a misspelt name is caught.
    expect(names.has("siq_http_request_duration_second_bucket")).toBe(false);
  });

  it("has the overview, validators, log, settlement and API dashboards, each with unique ids and queries", () => {
    const all = dashboards();
    expect(all.map(([f]) => f).sort()).toEqual([
      "api.json",
      "log.json",
      "overview.json",
      "settlement.json",
      "validators.json",
    ]);
    expect(new Set(all.map(([, d]) => d.uid)).size).toBe(all.length);
    for (const [file, d] of all) {
      expect(d.panels.length, file).toBeGreaterThanOrEqual(4);
      for (const p of d.panels) expect(p.targets.length, `${file}: ${p.title}`).toBeGreaterThan(0);
    }
    const api = all.find(([f]) => f === "api.json")![1];
    const latency = api.panels.flatMap((p) => p.targets.map((t) => t.expr)).join("\n");
    for (const q of ["0.5", "0.95", "0.99"])
      expect(latency).toContain(`histogram_quantile(${q}, sum by (le) (rate(siq_http_request_duration_seconds_bucket`);
  });
});
