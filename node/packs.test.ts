import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { compilePack, DEFAULT_PACK_DIR, loadPackDir, loadPackFiles } from "../rules/index.ts";
import { PackSchedule } from "./packs.ts";
import { watchPack } from "./reload.ts";

const tiny = (n: number) => compilePack(loadPackFiles([{ path: "p.yaml", text: `pack: v${n}\nrules: []\n` }]));

describe("pack schedule", () => {
  it("scores each task with the pack in effect when the coordinator received it", () => {
    const s = new PackSchedule(tiny(1));
    s.schedule(tiny(2), 5000, 1000);
    expect(s.at(4999).name).toBe("v1");
    expect(s.at(5000).name).toBe("v2");
    expect(s.latest.name).toBe("v2");
  });
});

describe("hot reload", () => {
  it("swaps a valid change in, rejects a broken one and keeps the running pack", () => {
    const dir = mkdtempSync(join(tmpdir(), "siq-reload-"));
    cpSync(DEFAULT_PACK_DIR, dir, { recursive: true });
    const s = new PackSchedule(compilePack(loadPackDir(dir)));
    const swaps: number[] = [];
    const errors: string[] = [];
    const w = watchPack(
      dir,
      s,
      { graceMs: 1000 },
      { onSwap: (_, at) => swaps.push(at), onReject: (e) => errors.push(e.message) },
    );
    try {
      const before = s.latest.hash;
      writeFileSync(
        join(dir, "hard.yaml"),
        readFileSync(join(dir, "hard.yaml"), "utf8") + "\n  - id: broken\n    when: { field: a }\n",
      );
      w.check();
      expect(errors[0]).toMatch(/hard\.yaml:\d+:\d+: .*operator/);
      expect(s.latest.hash).toBe(before);
      writeFileSync(
        join(dir, "pack.yaml"),
        readFileSync(join(dir, "pack.yaml"), "utf8").replace("amount_limit: 10000", "amount_limit: 5000"),
      );
      writeFileSync(join(dir, "hard.yaml"), readFileSync(join(DEFAULT_PACK_DIR, "hard.yaml"), "utf8"));
      w.check();
      expect(s.latest.hash).not.toBe(before);
      expect(swaps).toHaveLength(1);
      expect(s.at(swaps[0]! - 1).hash).toBe(before);
      expect(s.at(swaps[0]!).hash).toBe(s.latest.hash);
    } finally {
      w.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
