/** `sentineliq dev` as processes: each validator serves its witness over HTTP on HTTP+200+i and knows the log's URL. */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { generateKeyFile } from "../../protocol/index.ts";
import { parseValidatorConfig } from "../../node/index.ts";
import type { ClaimedStore, StartedBus, Workspace } from "../launcher/index.ts";
import { nodeConfig } from "../serve/run.ts";
import { devNetwork } from "./network.ts";

describe("dev network witnesses", () => {
  const dir = mkdtempSync(join(tmpdir(), "siq-devnet-"));
  const logKeyFile = join(dir, "log.json");
  generateKeyFile(logKeyFile, "log");
  const ws = {
    dir,
    logKeyFile,
    keyFile: (id: string) => join(dir, `${id}.json`),
    validatorSet: { validators: ["v1", "v2"].map((id) => ({ id, public_key: "a".repeat(64) })), quorum: { k: 1 } },
    apiKey: "siq_dev_agent_key",
    auditorKey: "siq_dev_auditor_key",
    operatorKey: "siq_dev_operator_key",
    approverKey: "siq_dev_approver_key",
    addresses: { agent: "a", merchant: "m" },
    agentWalletFile: join(dir, "wallet.json"),
  } as unknown as Workspace;
  const store = { url: "memory://", schema: undefined } as unknown as ClaimedStore;

  it("gives validator i the witness port HTTP+200+i, the metrics port HTTP+300+i and the coordinator's URL as the log URL", () => {
    const bus = { url: "nats://127.0.0.1:4222" } as unknown as StartedBus;
    const spec = devNetwork(ws, { dir, validators: 2, port: 8080 }, bus, store, new AbortController().signal);
    expect(spec.validators.map((v) => v.witnessListen)).toEqual(["127.0.0.1:8280", "127.0.0.1:8281"]);
    expect(spec.validators.map((v) => v.metricsListen)).toEqual(["127.0.0.1:8380", "127.0.0.1:8381"]);
    expect(spec.validators.every((v) => v.logUrl === "http://127.0.0.1:8080")).toBe(true);
  });

  it("the node flags --witness-listen, --metrics-listen and --log-url reach the validator's config", () => {
    const c = parseValidatorConfig({
      ...nodeConfig({
        id: "v1",
        keyFile: ws.keyFile("v1"),
        witnessListen: "127.0.0.1:9201",
        metricsListen: "127.0.0.1:9301",
        logUrl: "http://x:1",
      }),
      coordinatorKey: "c".repeat(64),
    });
    expect(c).toMatchObject({ witnessListen: "127.0.0.1:9201", metricsListen: "127.0.0.1:9301", logUrl: "http://x:1" });
  });
});
