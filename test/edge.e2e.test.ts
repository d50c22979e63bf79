/**
 * The HTTP edge for real: a request id given to the coordinator comes back on the answer and, through
 * a NATS header on the task, into the log lines of a validator running as its own process on real
 * JetStream; security headers and 429s over a real socket; and HTTPS when a certificate is configured.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "../cli/launcher/processes.ts";
import { parseCoordinatorConfig, startCoordinator, type RunningCoordinator } from "../coordinator/index.ts";
import { memoryBus } from "../lib/bus/index.ts";
import { generateKeyFile, sha256Hex } from "../protocol/index.ts";
import { startNetwork, type TestNetwork } from "./helpers/network.ts";

const until = async (ok: () => boolean, ms: number) => {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (ok()) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return ok();
};

describe("request ids from HTTP to a validator's log lines", () => {
  let net: TestNetwork;
  let validator: ChildProcess | undefined;
  let out = "";
  beforeAll(async () => {
    // Three validators in process decide; the fourth runs as a process of its own, logging at debug.
    net = await startNetwork({ store: "pglite", running: 3 });
    validator = spawn(
      process.execPath,
      [
        BIN,
        "node",
        "--id",
        "v4",
        "--key",
        join(net.dir, "v4.json"),
        "--nats",
        net.natsUrl,
        "--namespace",
        net.namespace,
        "--coordinator-key",
        net.busKey.publicKeyHex,
      ],
      { env: { ...process.env, LOG_LEVEL: "debug" }, stdio: ["ignore", "pipe", "inherit"] },
    );
    validator.stdout!.on("data", (b: Buffer) => (out += b.toString()));
    if (!(await until(() => out.includes("validator started"), 60_000)))
      throw new Error(`validator v4 did not start: ${out}`);
  }, 120_000);
  afterAll(async () => {
    if (validator && validator.exitCode === null) {
      const exited = new Promise((r) => validator!.once("exit", r));
      validator.kill("SIGTERM");
      await exited;
    }
    await net?.stop();
  });

  it("echoes the id and carries it into the validator's log line for the task", async () => {
    const res = await fetch(`${net.url}/v1/payments`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${net.apiKey}`,
        "content-type": "application/json",
        "x-request-id": "e2e-edge-req-7781",
      },
      body: JSON.stringify(net.payment()),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("e2e-edge-req-7781");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    const line = () =>
      out
        .split("\n")
        .filter((l) => l.includes("e2e-edge-req-7781"))
        .map((l) => JSON.parse(l) as Record<string, unknown>)[0];
    expect(await until(() => line() !== undefined, 15_000)).toBe(true);
    expect(line()).toMatchObject({ request_id: "e2e-edge-req-7781", msg: "verdict published", attempt: 1 });
    expect(line()!.payment_id).toMatch(/^pay_/);
  });

  it("an event's task carries the id too", async () => {
    const res = await fetch(`${net.url}/v1/events`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${net.apiKey}`,
        "content-type": "application/json",
        "x-request-id": "e2e-edge-event-1",
      },
      body: JSON.stringify({ event_id: "edge-1", kind: "login_failure", agent_id: "agent-edge", ip: "203.0.113.9" }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("e2e-edge-event-1");
    const line = () => out.split("\n").find((l) => l.includes("e2e-edge-event-1"));
    expect(await until(() => line() !== undefined, 15_000)).toBe(true);
    expect(JSON.parse(line()!)).toMatchObject({ request_id: "e2e-edge-event-1", msg: "event verdict published" });
  });

  it("a forged or hostile id never reaches the validator as sent", async () => {
    const res = await fetch(`${net.url}/v1/payments`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${net.apiKey}`,
        "content-type": "application/json",
        "x-request-id": '", "level": 60, "msg": "forged',
      },
      body: JSON.stringify(net.payment()),
    });
    expect(res.status).toBe(200);
    const id = res.headers.get("x-request-id")!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await until(() => out.includes(id), 15_000)).toBe(true);
    expect(out).not.toContain("forged");
  });

  it("a burst of 50 under the production per-IP limit is served, each answer with the security headers", async () => {
    // The production limits are the defaults here (3000 a minute per IP): this burst stays under them.
    const burst = await Promise.all(Array.from({ length: 50 }, () => fetch(`${net.url}/health`)));
    expect(burst.every((r) => r.status === 200)).toBe(true);
    for (const r of burst) expect(r.headers.get("x-frame-options")).toBe("DENY");
  });
});

describe("HTTPS when a certificate is configured", () => {
  const dir = mkdtempSync(join(tmpdir(), "siq-tls-"));
  let coordinator: RunningCoordinator;
  const cert = join(dir, "cert.pem");
  const key = join(dir, "key.pem");
  beforeAll(async () => {
    execFileSync("openssl", [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-subj",
      "/CN=localhost",
      "-addext",
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "-days",
      "1",
      "-keyout",
      key,
      "-out",
      cert,
    ]);
    const v1 = generateKeyFile(join(dir, "v1.json"), "v1");
    generateKeyFile(join(dir, "log.json"), "log");
    coordinator = await startCoordinator(
      parseCoordinatorConfig({
        port: 0,
        databaseUrl: "memory://",
        logKeyFile: join(dir, "log.json"),
        validatorSet: { validators: [{ id: "v1", public_key: v1.publicKeyHex, weight: 1 }] },
        tenants: [{ id: "t", api_key_sha256: [sha256Hex("siq_tls_key_0123456789abcdef")], agent_ids: ["*"] }],
        logLevel: "silent",
        http: { tls: { certFile: cert, keyFile: key }, rateLimits: { perKey: { max: 2 } } },
      }),
      { bus: memoryBus() },
    );
  }, 60_000);
  afterAll(async () => {
    await coordinator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string, headers: Record<string, string> = {}) =>
    new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
      const req = request(`${coordinator.url}${path}`, { ca: readFileSync(cert), headers }, (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      });
      req.on("error", reject);
      req.end();
    });

  it("serves https with the certificate, and sends HSTS", async () => {
    expect(coordinator.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const res = await get("/health");
    expect(res.status).toBe(200);
    expect(res.headers["strict-transport-security"]).toBe("max-age=31536000; includeSubDomains");
    expect(String(res.headers["content-security-policy"])).toContain("frame-ancestors 'none'");
  });

  it("refuses plain HTTP on the TLS port", async () => {
    const plain = await fetch(coordinator.url.replace("https:", "http:") + "/health").then(
      (r) => r.status,
      () => "refused",
    );
    expect(plain).not.toBe(200);
  });

  it("a burst with one key gets 429 with Retry-After in the one error shape, over TLS", async () => {
    const auth = { authorization: "Bearer siq_tls_key_0123456789abcdef" };
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await get("/v1/payments/pay_missing", auth));
    expect(answers.map((a) => a.status)).toEqual([404, 404, 429]);
    expect(Number(answers[2]!.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(answers[2]!.body)).toMatchObject({
      code: "RATE_LIMITED",
      error_details: { code: "RATE_LIMITED" },
    });
  });
});
