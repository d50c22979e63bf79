/** A network in this process: the validators, then the coordinator, on the caller's bus (NATS or in-process). */
import {
  parseCoordinatorConfig,
  startCoordinator,
  type CoordinatorConfig,
  type RunningCoordinator,
} from "../../coordinator/index.ts";
import { parseValidatorConfig, startValidator, type RunningValidator } from "../../node/index.ts";
import { waitReady } from "./ready.ts";
import { configsFor, LaunchError, type LaunchedNetwork, type NetworkSpec } from "./spec.ts";

export async function launchInProcess(spec: NetworkSpec): Promise<LaunchedNetwork> {
  const configs = configsFor(spec);
  const validatorConfigs = configs.validators.map((v) => parseValidatorConfig(v));
  const coordinatorConfig = parseCoordinatorConfig(configs.coordinator);

  const validators: RunningValidator[] = [];
  let coordinator: RunningCoordinator | undefined;
  // Every part is stopped even when one fails to; the first failure is reported after.
  const stop = async () => {
    const parts = [coordinator?.close.bind(coordinator), ...validators.splice(0).map((v) => v.stop.bind(v))];
    coordinator = undefined;
    let first: Error | undefined;
    for (const part of parts)
      await part?.().catch((e: unknown) => (first ??= e instanceof Error ? e : new Error("a part failed to stop")));
    if (first) throw first;
  };
  try {
    for (const config of validatorConfigs) {
      if (spec.signal?.aborted) throw new LaunchError("interrupted");
      validators.push(await startValidator(config, spec.bus.memory));
    }
    coordinator = await start(coordinatorConfig, spec);
  } catch (e) {
    await stop();
    throw e;
  }
  const url = coordinator.url;
  if (spec.readyTimeoutMs !== undefined) {
    const why = await waitReady(url, spec.readyTimeoutMs, () => (spec.signal?.aborted ? "interrupted" : undefined));
    if (why) {
      await stop();
      throw new LaunchError(why);
    }
  }
  const here = (name: string) => ({ name, pid: process.pid });
  return {
    url,
    coordinator,
    validators: [...validators],
    processes: [
      { ...here("coordinator-1"), url, metrics_url: `${url}/metrics` },
      ...validatorConfigs.map((v) => here(v.id)),
    ],
    failure: new Promise<string>(() => {}),
    stop,
  };
}

function start(config: CoordinatorConfig, spec: NetworkSpec): Promise<RunningCoordinator> {
  return startCoordinator(config, {
    ...(spec.bus.memory ? { bus: spec.bus.memory } : {}),
    ...(spec.db ? { db: spec.db } : {}),
  });
}
