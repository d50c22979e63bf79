/** The files `sentineliq dev` writes for its users: dev-credentials.json and processes.json. */
import { rmSync, writeFileSync } from "node:fs";
import type { PaymentRequest } from "../../protocol/index.ts";
import { examplePayment, type LaunchedNetwork, type StartedBus, type Workspace } from "../launcher/index.ts";

export interface DevFiles {
  /** The log's verifier key, as the coordinator serves it. */
  vkey: string;
  example: PaymentRequest;
}

export async function writeDevFiles(ws: Workspace, net: LaunchedNetwork, bus: StartedBus): Promise<DevFiles> {
  const res = await fetch(`${net.url}/v1/log/vkey`);
  if (!res.ok) throw new Error(`GET ${net.url}/v1/log/vkey answered ${res.status}`);
  const vkey = (await res.text()).trim();
  const example = examplePayment(ws);
  const creds = {
    api_key: ws.apiKey,
    base_url: net.url,
    // The dev bus: it admits only the network's NKey users (seeds in <dir>/nats), never an anonymous connection.
    ...(bus.url ? { nats_url: bus.url } : {}),
    log_vkey: vkey,
    example_payment: example,
    auditor_key: ws.auditorKey,
    operator_key: ws.operatorKey,
    approver_key: ws.approverKey,
    owner_email: ws.ownerEmail,
    owner_password: ws.ownerPassword,
  };
  writeFileSync(ws.credentialsFile, JSON.stringify(creds, null, 2) + "\n", { mode: 0o600 });
  const pid = bus.server?.process.pid;
  const nats = pid ? [{ name: "nats-1", pid }] : [];
  writeFileSync(ws.processesFile, JSON.stringify([...nats, ...net.processes], null, 2) + "\n");
  return { vkey, example };
}

/** processes.json describes a running network: it goes when the network stops. */
export function removeDevFiles(ws: Workspace): void {
  rmSync(ws.processesFile, { force: true });
}
