/**
 * A network as processes: each validator is `sentineliq node --config <file>`
 * and the coordinator `sentineliq coordinator --config <file>`, all children of
 * this process (they stop when it goes away). Their configs are complete, so
 * their environment carries no PORT, NATS_URL or DATABASE_URL to override them.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseCoordinatorConfig } from "../../coordinator/index.ts";
import { parseValidatorConfig } from "../../node/index.ts";
import { envForChildren } from "../shared/env.ts";
import { spawnSelf, stopAll, type Child } from "./processes.ts";
import { waitReady } from "./ready.ts";
import { configsFor, DEFAULT_READY_TIMEOUT_MS, LaunchError, type LaunchedNetwork, type NetworkSpec } from "./spec.ts";

export async function launchProcesses(spec: NetworkSpec): Promise<LaunchedNetwork> {
  if (!spec.files) throw new LaunchError("a network of processes needs files: config and log locations");
  const files = spec.files;
  const configs = configsFor(spec);
  for (const v of configs.validators) parseValidatorConfig(v);
  const coordinator = parseCoordinatorConfig(configs.coordinator);
  if (coordinator.port === 0) throw new LaunchError("a coordinator process needs a fixed port");
  const url = `http://127.0.0.1:${coordinator.port}`;

  for (const d of [files.configDir, files.logsDir]) mkdirSync(d, { recursive: true, mode: 0o700 });
  const write = (file: string, config: unknown) => writeFileSync(file, JSON.stringify(config, null, 2) + "\n");
  const children: Child[] = [];
  let failed: string | undefined;
  let stopping = false;
  let wake: ((why: string) => void) | undefined;
  const failure = new Promise<string>((resolve) => (wake = resolve));
  const onExit = (c: Child, code: number | null) => {
    if (stopping || failed) return;
    failed = `${c.name} exited (code ${code}); see ${c.logFile}`;
    wake?.(failed);
  };
  const env = envForChildren();
  for (const v of configs.validators) {
    const file = join(files.configDir, `${v.id}.json`);
    write(file, v);
    children.push(spawnSelf(v.id, ["node", "--config", file], files.logsDir, onExit, env));
  }
  write(files.coordinatorConfig, configs.coordinator);
  children.push(
    spawnSelf("coordinator-1", ["coordinator", "--config", files.coordinatorConfig], files.logsDir, onExit, env),
  );
  const stop = async () => {
    stopping = true;
    await stopAll(children);
  };

  const why = await waitReady(url, spec.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS, () =>
    spec.signal?.aborted ? "interrupted" : failed,
  );
  if (why) {
    await stop();
    throw new LaunchError(why);
  }
  const witnessUrl = new Map(
    configs.validators.flatMap((v) =>
      typeof v.witnessListen === "string" ? [[v.id, `http://${v.witnessListen}`]] : [],
    ),
  );
  const processes = children.map((c) => ({
    name: c.name,
    pid: c.process.pid ?? 0,
    ...(c.name.startsWith("coordinator") ? { url, metrics_url: `${url}/metrics` } : {}),
    ...(witnessUrl.has(c.name) ? { witness_url: witnessUrl.get(c.name) } : {}),
    log: c.logFile,
  }));
  return { url, coordinator: undefined, validators: [], processes, failure, stop };
}
