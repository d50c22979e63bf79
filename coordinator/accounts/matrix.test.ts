/** The README's permission matrix says what the route definitions enforce. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Roles, routes, type RouteDef } from "../../protocol/index.ts";

const README = readFileSync(join(import.meta.dirname, "..", "..", "README.md"), "utf8");

function matrix(): Map<string, string[]> {
  const section = README.split("### Permission matrix")[1]!.split("\n## ")[0]!;
  const rows = section.split("\n").filter((l) => /^\| `/.test(l));
  return new Map(
    rows.map((row) => {
      const [route, ...cells] = row
        .split("|")
        .slice(1, -1)
        .map((c) => c.trim());
      return [route!.replaceAll("`", ""), Roles.filter((_, i) => cells[i]!.startsWith("✓"))];
    }),
  );
}

describe("the README permission matrix", () => {
  it("lists every route for people, with exactly the roles its definition admits", () => {
    const table = matrix();
    const people = (Object.values(routes) as RouteDef[]).filter((d) => d.auth === "user");
    expect(people.length).toBeGreaterThan(0);
    for (const def of people) {
      const key = `${def.method} ${def.path.replace(/:([a-z_]+)/g, "{$1}")}`;
      expect(table.get(key), key).toEqual([...(def.roles ?? Roles)]);
    }
    expect(table.size).toBe(people.length);
  });
});
