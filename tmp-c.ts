import { runCaseFile, testFiles } from "./cli/rules/cases.ts";
import { loadPack } from "./rules/index.ts";
import { sanctionsLists } from "./node/index.ts";
const pack = loadPack(undefined, undefined, { screeners: sanctionsLists(undefined)! });
for (const f of testFiles("rules/packs/default")) for (const r of runCaseFile(f, pack)) console.log(r.ok ? "✓" : "✗", r.name, r.problems.join("\n   "));
