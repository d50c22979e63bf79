/**
 * `sentineliq dev` as a user runs it: separate processes, the printed
 * credentials, the curl example approved LOW, a sanctioned country rejected,
 * `log verify` passing while it runs, and Ctrl-C stopping everything.
 */
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { connect } from "@nats-io/transport-node";
import { BIN } from "../cli/launcher/processes.ts";
import { freePort } from "../lib/nats-server.ts";

const run = promisify(execFile);

async function startDev(env: NodeJS.ProcessEnv): Promise<{ proc: ChildProcess; dir: string; out: () => string }> {
  const dir = mkdtempSync(join(tmpdir(), "siq-dev-"));
  const port = await freePort();
  const proc = spawn(process.execPath, [BIN, "dev", "--port", String(port), "--dir", join(dir, ".sentineliq")], {
    cwd: dir,
    env,
  });
  let out = "";
  proc.stdout.on("data", (b: Buffer) => (out += b.toString()));
  proc.stderr.on("data", (b: Buffer) => (out += b.toString()));
  const deadline = Date.now() + 150_000; // four validator processes start slowly on a loaded machine
  while (!out.includes("Ctrl-C stops everything")) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`dev did not start:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { proc, dir, out: () => out };
}

async function stop(proc: ChildProcess): Promise<number | null> {
  const exited = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
  proc.kill("SIGINT");
  return exited;
}

describe("sentineliq dev", () => {
  const started: ChildProcess[] = [];
  afterAll(() => {
    for (const p of started) if (p.exitCode === null) p.kill("SIGKILL");
  });

  it("runs the network as processes; the printed example is approved LOW; Ctrl-C stops it", async () => {
    const env = { ...process.env };
    // Its own nats-server (found on PATH), so the "siq" namespace is not shared with other test files.
    delete env.NATS_URL;
    delete env.DATABASE_URL;
    const dev = await startDev(env);
    started.push(dev.proc);
    const creds = JSON.parse(readFileSync(join(dev.dir, ".sentineliq", "dev-credentials.json"), "utf8"));
    expect(Object.keys(creds).sort()).toEqual([
      "api_key",
      "approver_key",
      "auditor_key",
      "base_url",
      "example_payment",
      "log_vkey",
      "nats_url",
      "operator_key",
      "owner_email",
      "owner_password",
    ]);
    // The dev bus admits only the network's NKey users: an anonymous connection is refused.
    await expect(connect({ servers: creds.nats_url, reconnect: false })).rejects.toThrow(/authoriz|authenticat/i);
    expect(creds.auditor_key).not.toBe(creds.api_key);
    expect(creds.operator_key).not.toBe(creds.api_key);
    expect(creds.approver_key).not.toBe(creds.api_key);
    // `sentineliq bench` drives this network from one key and one address: its rate limits are lifted.
    const coordinator = JSON.parse(readFileSync(join(dev.dir, ".sentineliq", "coordinator.json"), "utf8"));
    expect(coordinator.http.rateLimits.perKey.max).toBeGreaterThanOrEqual(1_000_000);
    expect(coordinator.http.rateLimits.perIp.max).toBeGreaterThanOrEqual(1_000_000);
    expect(dev.out()).toContain("curl -s -X POST");
    expect(dev.out()).toContain(creds.api_key);
    const post = (body: unknown) =>
      fetch(`${creds.base_url}/v1/payments`, {
        method: "POST",
        headers: { authorization: `Bearer ${creds.api_key}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<Record<string, unknown>>);
    expect(await post(creds.example_payment)).toMatchObject({
      risk_level: "LOW",
      decision: "approve",
      status: "settled",
    });
    const kp = await post({ ...creds.example_payment, idempotency_key: "kp-1", metadata: { country_code: "KP" } });
    expect(kp).toMatchObject({ risk_level: "CRITICAL", decision: "reject", status: "rejected" });

    // Checkpoints are published asynchronously (at least once a second): wait for one covering every entry.
    for (let i = 0; i < 100; i++) {
      const cp = await (await fetch(`${creds.base_url}/v1/log/checkpoint`)).text().catch(() => "");
      if (cp.split("\n")[1] === String(2)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const verified = await run(process.execPath, [BIN, "log", "verify"], { cwd: dev.dir, env });
    expect(verified.stdout).toMatch(/✓ 2 entries verified/);
    // Validator v1 serves its witness over HTTP on HTTP+200 (C2SP tlog-witness; processes.json names it as its
    // witness_url), with the state the NATS path keeps: it already cosigned the checkpoints (size 1 or 2), so
    // old size 0 is a 409 naming that size.
    const parts = JSON.parse(readFileSync(join(dev.dir, ".sentineliq", "processes.json"), "utf8")) as {
      name: string;
      witness_url?: string;
    }[];
    const v1 = parts.find((p) => p.name === "v1")!;
    expect(v1.witness_url).toBe(`http://127.0.0.1:${Number(new URL(creds.base_url).port) + 200}`);
    const witness = `${v1.witness_url}/add-checkpoint`;
    const cp = await (await fetch(`${creds.base_url}/v1/log/checkpoint`)).text();
    const conflict = await fetch(witness, { method: "POST", body: `old 0\n\n${cp}` });
    expect(conflict.status).toBe(409);
    expect(conflict.headers.get("content-type")).toBe("text/x.tlog.size");
    expect(await conflict.text()).toMatch(/^[12]\n$/);
    expect((await fetch(witness)).status).toBe(405);
    // The operator's view, with the dev credentials' operator key; nothing to reinstate.
    const listed = await run(process.execPath, [BIN, "validators", "list"], { cwd: dev.dir, env });
    expect(listed.stdout).toMatch(/✓ v1 +alive/);
    expect(listed.stdout).toMatch(/quorum safe: 4 of n=4 count \(f=1\), epoch 0/);
    const reinstate = await run(process.execPath, [BIN, "validators", "reinstate", "v1"], { cwd: dev.dir, env }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(reinstate).toMatchObject({ code: 1, stderr: expect.stringMatching(/409 CONFLICT/) });

    // The dev organisation's owner logs in; a new registration's mail is caught and shown by `sentineliq mail`.
    const auth = (path: string, body: unknown) =>
      fetch(`${creds.base_url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const login = await auth("/v1/auth/login", { email: creds.owner_email, password: creds.owner_password });
    expect(login.status).toBe(200);
    expect(dev.out()).toContain(creds.owner_password);
    // As that owner (the dev credentials' by default), a key for the example's agent: it pays as the dev tenant,
    // whose configured key sees the payment.
    const made = await run(
      process.execPath,
      [BIN, "key", "create", "--agent", creds.example_payment.agent_id, "--json"],
      {
        cwd: dev.dir,
        env,
      },
    );
    const key = JSON.parse(made.stdout) as { api_key: string };
    const paid = await fetch(`${creds.base_url}/v1/payments`, {
      method: "POST",
      headers: { authorization: `Bearer ${key.api_key}`, "content-type": "application/json" },
      body: JSON.stringify({ ...creds.example_payment, idempotency_key: "org-key-1" }),
    }).then((r) => r.json() as Promise<{ payment_id: string; decision: string }>);
    expect(paid).toMatchObject({ decision: "approve" });
    const seen = await fetch(`${creds.base_url}/v1/payments/${paid.payment_id}`, {
      headers: { authorization: `Bearer ${creds.api_key}` },
    });
    expect(seen.status).toBe(200);
    const email = "new-operator@example.test";
    const password = "a long enough passphrase";
    expect((await auth("/v1/auth/register", { email, password, organization: "New" })).status).toBe(200);
    let shown = "";
    for (let i = 0; i < 100 && !shown.includes("token="); i++) {
      shown = (await run(process.execPath, [BIN, "mail", "--json"], { cwd: dev.dir, env })).stdout;
      await new Promise((r) => setTimeout(r, 100));
    }
    const link = new URL(JSON.parse(shown.trim().split("\n").at(-1)!).links[0]);
    expect(link.pathname).toBe("/auth/verify-email");
    expect(dev.out()).toContain(link.href);
    expect((await auth("/v1/auth/verify-email", { token: link.searchParams.get("token") })).status).toBe(200);
    expect((await auth("/v1/auth/login", { email, password })).status).toBe(200);

    expect(await stop(dev.proc)).toBe(0);
    expect(dev.out()).toContain("Stopped.");
  }, 180_000);

  it("falls back to an in-process bus, with a banner, when there is no NATS", async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: dirname(process.execPath) };
    delete env.NATS_URL;
    delete env.DATABASE_URL;
    const dev = await startDev(env);
    started.push(dev.proc);
    expect(dev.out()).toContain("IN-PROCESS BUS");
    const creds = JSON.parse(readFileSync(join(dev.dir, ".sentineliq", "dev-credentials.json"), "utf8"));
    const res = await fetch(`${creds.base_url}/v1/payments`, {
      method: "POST",
      headers: { authorization: `Bearer ${creds.api_key}`, "content-type": "application/json" },
      body: JSON.stringify(creds.example_payment),
    });
    expect(await res.json()).toMatchObject({ risk_level: "LOW", decision: "approve" });
    expect(await stop(dev.proc)).toBe(0);
  }, 180_000);
});
