/** What a launch is given and what it gives back. */
import { busKeyFileOf, type RunningCoordinator } from "../../coordinator/index.ts";
import type { Bus, BusRole } from "../../lib/bus/index.ts";
import type { BusAccess } from "./bus.ts";
import type { Db } from "../../lib/db.ts";
import type { RunningValidator } from "../../node/index.ts";
import { ensureKeyFile } from "../../protocol/index.ts";

/** A validator's config as `parseValidatorConfig` takes it; the launcher sets `natsUrl` and `namespace`. */
export type ValidatorInput = { id: string; keyFile: string } & Record<string, unknown>;

export interface NetworkSpec {
  mode: "processes" | "in-process";
  /** `access`: each role's credentials and TLS settings, when the bus asks for them. */
  bus: { url: string | undefined; memory?: Bus | undefined; access?: BusAccess | undefined };
  namespace: string;
  /** The coordinator's config as `parseCoordinatorConfig` takes it; the launcher sets `natsUrl` and `namespace`. */
  coordinator: Record<string, unknown>;
  validators: ValidatorInput[];
  /** Processes only: where the coordinator's config, the validators' configs and every log are written. */
  files?: { coordinatorConfig: string; configDir: string; logsDir: string };
  /** In process only: an open store for the coordinator (the caller closes it). */
  db?: Db;
  /** Wait until `GET /ready` answers (a quorum of validators heard from) at most this long; processes always wait. */
  readyTimeoutMs?: number;
  /** Aborting it while the network starts stops what has started, and the launch fails with "interrupted". */
  signal?: AbortSignal;
}

/** One part of a running network, as `.sentineliq/processes.json` lists it. */
export interface ProcessEntry {
  name: string;
  pid: number;
  url?: string;
  metrics_url?: string;
  /** A validator's witness over HTTP (C2SP tlog-witness submission prefix: POST <witness_url>/add-checkpoint). */
  witness_url?: string;
  log?: string;
}

export interface LaunchedNetwork {
  /** The coordinator's base URL. */
  url: string;
  /** In process only: the running coordinator and validators. */
  coordinator: RunningCoordinator | undefined;
  validators: RunningValidator[];
  processes: ProcessEntry[];
  /** Resolves with what happened when a part of the network stops by itself; never in process. */
  failure: Promise<string>;
  /** Stops the coordinator and the validators (not the bus or the store: they are the caller's). */
  stop(): Promise<void>;
}

export class LaunchError extends Error {
  override readonly name = "LaunchError";
}

export const DEFAULT_READY_TIMEOUT_MS = 90_000;

/**
 * The parts' configs with the bus filled in, and the coordinator's bus key: made if it is not there yet,
 * named in the coordinator's config, and its public key handed to every validator that was not given one.
 */
export function configsFor(spec: NetworkSpec): {
  coordinator: Record<string, unknown>;
  validators: ValidatorInput[];
} {
  const natsUrl = spec.bus.url ?? "in-process";
  const shared = { natsUrl, namespace: spec.namespace };
  const access = spec.bus.url ? spec.bus.access : undefined;
  const auth = (role: BusRole) => {
    const creds = access?.credsFile(role);
    return { ...(creds ? { natsCreds: creds } : {}), ...(access?.tls ? { natsTls: access.tls } : {}) };
  };
  const c = spec.coordinator as { logKeyFile?: unknown; busKeyFile?: unknown };
  const busKeyFile =
    typeof c.logKeyFile === "string"
      ? busKeyFileOf({
          logKeyFile: c.logKeyFile,
          busKeyFile: typeof c.busKeyFile === "string" ? c.busKeyFile : undefined,
        })
      : undefined;
  const busKey = busKeyFile ? ensureKeyFile(busKeyFile, "coordinator-bus").publicKeyHex : undefined;
  return {
    coordinator: {
      ...spec.coordinator,
      ...shared,
      ...auth({ kind: "coordinator" }),
      ...(busKeyFile ? { busKeyFile } : {}),
    },
    validators: spec.validators.map((v) => ({
      ...(busKey ? { coordinatorKey: busKey } : {}),
      ...v,
      ...shared,
      ...auth({ kind: "validator", id: v.id }),
    })),
  };
}
