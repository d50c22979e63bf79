/**
 * deploy/ logs: docker-compose.yml wires Loki, Promtail and Grafana's Loki datasource to each other (ports, mounts,
 * config paths), and Promtail's pipeline reads the keys our logger really writes: a line from lib/logger, in a
 * request's scope and with a payment id, has every key the json stage names; pino's level numbers map to their
 * names; per-request ids are structured metadata, never labels. Neither `loki` nor `promtail` is packaged for
 * Debian (its `loki` is an unrelated genetics tool), so the configs are checked structurally.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createLogger } from "../lib/logger.ts";
import { inRequestScope } from "../lib/request-scope.ts";

const ROOT = join(import.meta.dirname, "..");
const yaml = (path: string): unknown => parse(readFileSync(join(ROOT, path), "utf8"), { merge: true });

interface Service {
  image?: string;
  command?: string[];
  volumes?: string[];
  ports?: string[];
  depends_on?: string[] | Record<string, unknown>;
}
interface Compose {
  name: string;
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
}
interface Stage {
  json?: { expressions: Record<string, string> };
  template?: { source: string; template: string };
  labels?: Record<string, string | null>;
  structured_metadata?: Record<string, string | null>;
  timestamp?: { source: string; format: string };
  match?: { selector: string; stages: Stage[] };
}
interface Promtail {
  positions: { filename: string };
  clients: { url: string }[];
  scrape_configs: {
    docker_sd_configs: { host: string; filters: { name: string; values: string[] }[] }[];
    relabel_configs: { source_labels: string[]; target_label: string }[];
    pipeline_stages: Stage[];
  }[];
}

const compose = yaml("docker-compose.yml") as Compose;
const promtail = yaml("deploy/promtail/promtail.yml") as Promtail;
const loki = yaml("deploy/loki/loki.yml") as {
  server: { http_listen_port: number };
  common: { path_prefix: string };
  limits_config: { allow_structured_metadata: boolean; retention_period: string };
  compactor: { retention_enabled: boolean };
};
const job = promtail.scrape_configs[0]!;
const match = job.pipeline_stages.find((s) => s.match)!.match!;
const stage = <K extends keyof Stage>(k: K): NonNullable<Stage[K]> => match.stages.find((s) => s[k])![k]!;

/** A compose mount `./host:/container[:ro]` as [host, container]; named volumes have no `./`. */
const mounts = (s: Service) => (s.volumes ?? []).map((v) => v.split(":") as [string, string, string?]);
const configFlag = (s: Service) => s.command!.find((a) => a.startsWith("-config.file="))!.split("=")[1];

/** Real lines from our logger: a coordinator line in a request's scope, a validator's per-message line. */
function pinoLines(): Record<string, unknown>[] {
  const lines: Record<string, unknown>[] = [];
  const sink = { write: (s: string) => void lines.push(JSON.parse(s) as Record<string, unknown>) };
  inRequestScope("req-7", () => createLogger("coordinator", "info", sink).info("payment received"));
  createLogger("v1", "info", sink)
    .child({ request_id: "req-7" })
    .warn({ payment_id: "pay_1", attempt: 1 }, "verdict publish failed; will retry");
  return lines;
}

describe("deploy/ logs: Loki, Promtail, Grafana", () => {
  it("compose runs Loki and Promtail with the config files in deploy/, mounted where their commands read them", () => {
    for (const name of ["loki", "promtail"]) {
      const s = compose.services[name]!;
      expect(s.image).toMatch(new RegExp(`^grafana/${name}:\\d+\\.\\d+\\.\\d+$`));
      const [host] = mounts(s).find(([, target]) => target === configFlag(s))!;
      expect(host).toBe(`./deploy/${name}/${name}.yml`);
      expect(existsSync(join(ROOT, host))).toBe(true);
    }
    // Loki's data and Promtail's positions live on named volumes, at the paths their configs use.
    expect(mounts(compose.services.loki!)).toContainEqual(["loki", loki.common.path_prefix]);
    expect(
      promtail.positions.filename.startsWith(
        `${mounts(compose.services.promtail!).find(([h]) => h === "promtail")![1]}/`,
      ),
    ).toBe(true);
    expect(Object.keys(compose.volumes)).toEqual(expect.arrayContaining(["loki", "promtail"]));
    // Seven days kept: the compactor deletes older chunks.
    expect([loki.limits_config.retention_period, loki.compactor.retention_enabled]).toEqual(["168h", true]);
    expect(compose.services.promtail!.depends_on).toContain("loki");
  });

  it("Promtail pushes to Loki's port and Grafana has a Loki datasource beside Prometheus's, both mounted", () => {
    const port = loki.server.http_listen_port;
    expect(promtail.clients.map((c) => c.url)).toEqual([`http://loki:${port}/loki/api/v1/push`]);
    const dir = "deploy/grafana/provisioning/datasources";
    const ds = (f: string) => (yaml(`${dir}/${f}`) as { datasources: { type: string; url: string }[] }).datasources;
    expect(ds("loki.yml")).toEqual([expect.objectContaining({ type: "loki", url: `http://loki:${port}` })]);
    expect(ds("prometheus.yml")).toEqual([expect.objectContaining({ type: "prometheus" })]);
    const grafana = mounts(compose.services.grafana!);
    expect(grafana).toContainEqual(["./deploy/grafana/provisioning", "/etc/grafana/provisioning", "ro"]);
    expect(compose.services.grafana!.depends_on).toContain("loki");
    // Loki's API has no authentication: published on the host's loopback only.
    expect(compose.services.loki!.ports).toEqual([`127.0.0.1:${port}:${port}`]);
  });

  it("Promtail reads this compose project's containers from the Docker engine and names each stream by service", () => {
    const s = compose.services.promtail!;
    const [sd] = job.docker_sd_configs;
    expect(mounts(s)).toContainEqual(["/var/run/docker.sock", sd!.host.replace("unix://", ""), "ro"]);
    expect(sd!.filters).toEqual([{ name: "label", values: [`com.docker.compose.project=${compose.name}`] }]);
    const service = job.relabel_configs.find((r) => r.target_label === "service")!;
    expect(service.source_labels).toEqual(["__meta_docker_container_label_com_docker_compose_service"]);
    // The JSON pipeline applies to exactly the services that run our image.
    const ours = Object.entries(compose.services)
      .filter(([n, x]) => x.image === "sentineliq:dev" && x.command?.[0] !== "keys" && n !== "init")
      .map(([n]) => n);
    const selector = new RegExp(`^(?:${/service=~"([^"]+)"/.exec(match.selector)![1]})$`);
    expect(ours.sort()).toEqual(["coordinator", "v1", "v2", "v3", "v4"]);
    for (const n of ours) expect(n).toMatch(selector);
    for (const n of ["nats", "postgres", "minio", "loki", "grafana"]) expect(n).not.toMatch(selector);
  });

  it("the json stage names keys a real pino line has; request_id and payment_id arrive on the lines", () => {
    const [coordinator, validator] = pinoLines();
    const { expressions } = stage("json");
    for (const key of ["level", "name", "msg", "time", "request_id"]) expect(Object.values(expressions)).toContain(key);
    for (const key of Object.values(expressions)) expect(Object.keys({ ...coordinator, ...validator })).toContain(key);
    expect(coordinator).toMatchObject({ name: "coordinator", request_id: "req-7", msg: "payment received" });
    expect(validator).toMatchObject({ name: "v1", request_id: "req-7", payment_id: "pay_1" });
    // pino's `time` is epoch milliseconds: the timestamp stage reads it as such.
    expect(stage("timestamp")).toEqual({ source: "time", format: "UnixMs" });
    expect(Math.abs(Number(coordinator!.time) - Date.now())).toBeLessThan(60_000);
  });

  it("maps every pino level number to its name, and the level label is that name", () => {
    const t = stage("template");
    expect(t.source).toBe("level");
    const mapped = Object.fromEntries(
      [...t.template.matchAll(/eq \.Value "(\d+)" }}(\w+)/g)].map((m) => [m[2], Number(m[1])]),
    );
    expect(mapped).toEqual(pino.levels.values);
    expect(pinoLines().map((l) => pino.levels.labels[l.level as number])).toEqual(["info", "warn"]);
  });

  it("keeps per-request ids out of the labels (one stream per service, level and logger, whatever the traffic)", () => {
    expect(Object.keys(stage("labels")).sort()).toEqual(["level", "logger"]);
    expect(Object.keys(stage("structured_metadata")).sort()).toEqual(["payment_id", "request_id"]);
    expect(loki.limits_config.allow_structured_metadata).toBe(true);
    const relabelled = job.relabel_configs.map((r) => r.target_label);
    for (const high of ["request_id", "payment_id", "msg", "time"]) {
      expect(Object.keys(stage("labels"))).not.toContain(high);
      expect(relabelled).not.toContain(high);
    }
  });
});
