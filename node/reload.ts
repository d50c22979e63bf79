/**
 * Hot reload: watches a pack directory; on a change, validates and compiles
 * the whole pack and schedules it (see packs.ts). A broken pack is rejected
 * with its file:line:column error and the running pack keeps scoring.
 */
import { existsSync, statSync, watch, type FSWatcher } from "node:fs";
import { join } from "node:path";
import { compilePack, loadPackDir, packFiles, type CompileOptions, type CompiledPack } from "../rules/index.ts";
import type { PackSchedule } from "./packs.ts";

export interface ReloadEvents {
  onSwap(pack: CompiledPack, effectiveAt: number): void;
  onReject(error: Error): void;
}

export interface Watching {
  /** Re-reads the directory now (what a change notification does, without the debounce). */
  check(): void;
  close(): void;
}

export function watchPack(
  dir: string,
  schedule: PackSchedule,
  opts: CompileOptions & { graceMs: number; debounceMs?: number },
  events: ReloadEvents,
): Watching {
  let timer: NodeJS.Timeout | undefined;
  let lastRejected = "";
  const check = () => {
    timer = undefined;
    let pack: CompiledPack;
    try {
      pack = compilePack(loadPackDir(dir), opts);
    } catch (e) {
      const message = (e as Error).message;
      if (message !== lastRejected) events.onReject(e as Error);
      lastRejected = message;
      return;
    }
    lastRejected = "";
    if (pack.hash === schedule.latest.hash) return;
    // Every node sharing these files derives the same moment from their modification time.
    const modified = Math.max(...packFiles(dir).map((f) => statSync(f.path).mtimeMs));
    const effectiveAt = Math.max(Math.ceil(modified) + opts.graceMs, Date.now());
    schedule.schedule(pack, effectiveAt);
    events.onSwap(pack, effectiveAt);
  };
  const poke = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(check, opts.debounceMs ?? 150);
  };
  const watchers: FSWatcher[] = [watch(dir, poke)];
  if (existsSync(join(dir, "orgs"))) watchers.push(watch(join(dir, "orgs"), poke));
  for (const w of watchers) w.on("error", () => {});
  return {
    check,
    close() {
      if (timer) clearTimeout(timer);
      for (const w of watchers) w.close();
    },
  };
}
