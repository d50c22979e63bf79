/**
 * `sentineliq dev`: a complete local network in one command. Bus: NATS_URL,
 * else a nats-server from PATH, else an in-process bus. Storage: DATABASE_URL,
 * else PGlite under ./.sentineliq/. It stops on Ctrl-C, SIGTERM or SIGHUP and,
 * when an npm script started it, when its parent goes away.
 */
import { join } from "node:path";
import { UsageError } from "../shared/flags.ts";
import { env } from "../shared/env.ts";
import {
  claimStore,
  launchNetwork,
  LaunchError,
  prepareWorkspace,
  startBus,
  StoreBusyError,
  untilSignal,
  type ClaimedStore,
  type LaunchedNetwork,
  type Workspace,
} from "../launcher/index.ts";
import { printBanner, say } from "./banner.ts";
import { removeDevFiles, writeDevFiles } from "./files.ts";
import { devNetwork, DEV_NAMESPACE, type DevOptions } from "./network.ts";
import { devAccounts, startDevMail } from "./mail.ts";

export type { DevOptions } from "./network.ts";

export async function runDev(opts: DevOptions): Promise<number> {
  const ws = prepareWorkspace(opts.dir, opts.validators);
  for (const id of Object.keys(opts.faulty ?? {})) {
    if (!ws.validatorSet.validators.some((v) => v.id === id))
      throw new UsageError(`--faulty ${id}: no such validator (v1…v${opts.validators})`);
  }
  const store = claim(ws);
  if (!store) return 1;
  // From here on a signal asks for a clean stop, even while the network is still starting.
  const stopRequested = untilSignal({ watchParent: env.npmScript !== undefined });
  const interrupt = new AbortController();
  void stopRequested.then(() => interrupt.abort());

  const bus = await startBus({
    natsUrl: env.natsUrl,
    searchPath: env.path,
    inProcessFallback: true,
    creds: env.natsCreds,
    tls: env.natsTls,
    // A nats-server of its own admits only the network's NKey users (seeds and config in <dir>/nats).
    auth: {
      dir: join(ws.dir, "nats"),
      namespace: DEV_NAMESPACE,
      validators: ws.validatorSet.validators.map((v) => v.id),
    },
  }).catch((e: unknown) => {
    store.release();
    throw e;
  });
  const mail = await startDevMail(ws, env.smtpUrl);
  const teardown = async () => {
    await bus.stop().catch(() => {});
    await mail.stop().catch(() => {});
    store.release();
  };
  let net: LaunchedNetwork;
  try {
    const accounts = await devAccounts(ws, mail);
    net = await launchNetwork(devNetwork(ws, opts, bus, store, interrupt.signal, accounts));
  } catch (e) {
    await teardown();
    if (!(e instanceof LaunchError)) throw e;
    say(
      interrupt.signal.aborted ? "  Stopped before it was ready." : `The network did not become ready: ${e.message}.`,
    );
    return interrupt.signal.aborted ? 0 : 1;
  }
  let why: string | undefined;
  try {
    const shown = await writeDevFiles(ws, net, bus);
    printBanner({ ws, opts, url: net.url, ...shown, bus, store, mail: mail.note });
    why = await Promise.race([stopRequested.then(() => undefined), net.failure]);
    if (why) say(`  ${why}`);
  } finally {
    say("  Stopping…");
    await net.stop().catch((e: unknown) => say(`  ${(e as Error).message}`));
    await teardown();
    removeDevFiles(ws);
    say("  Stopped.");
  }
  return why ? 1 : 0;
}

/** PGlite serves one process: a second `sentineliq dev` on the same workspace is refused. */
function claim(ws: Workspace): ClaimedStore | undefined {
  try {
    return claimStore({ databaseUrl: env.databaseUrl, pgDir: ws.pgDir, lockFile: join(ws.dir, "pgdata.lock") });
  } catch (e) {
    if (!(e instanceof StoreBusyError)) throw e;
    say(e.message);
    return undefined;
  }
}
