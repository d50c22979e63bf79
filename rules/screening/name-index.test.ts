import { describe, expect, it } from "vitest";
import { NameIndex } from "./name-index.ts";
import { findOfacDir, loadOfac } from "./ofac.ts";

describe("name index", () => {
  const index = new NameIndex([
    { id: "1", name: "BANCO NACIONAL DE CUBA" },
    { id: "2", name: "MADURO MOROS, Nicolas" },
    { id: "3", name: "AL-QAIDA" },
  ]);

  it("finds a name exactly, misspelt, and in another word order", () => {
    expect(index.match("Banco Nacional de Cuba")).toMatchObject({ id: "1", score: 1 });
    expect(index.match("Banko Nacional de Cuba")!.score).toBeGreaterThan(0.95);
    expect(index.match("Nicolás Maduro Moros")).toMatchObject({ id: "2", score: 1 });
  });

  it("does not match a fragment of a longer name, or an unrelated one", () => {
    expect(index.best("Cuba")).toBeLessThan(0.7);
    expect(index.best("Northwind Traders")).toBe(0);
    expect(index.best("")).toBe(0);
  });

  it("returns nothing under the asked minimum", () => {
    expect(index.match("Banco Nacional de Angola", 0.9)).toBeNull();
  });
});

const ofacDir = findOfacDir();
describe.skipIf(!ofacDir)("the OFAC list", () => {
  const lists = loadOfac(ofacDir!);

  it("indexes about 9,000 entities with their aliases and addresses", () => {
    expect(lists.entities).toBeGreaterThan(8000);
    expect(lists.get("ofac")!.size).toBeGreaterThan(lists.entities);
    expect(lists.get("ofac_addresses")!.size).toBeGreaterThan(5000);
  });

  it("finds a listed alias and a listed address", () => {
    expect(lists.get("ofac")!.match("National Bank of Cuba")).toMatchObject({ id: "306", score: 1 });
    expect(lists.get("ofac_addresses")!.match("Zweierstrasse 35, Zurich CH-8022, Switzerland")).toMatchObject({
      id: "306",
    });
  });

  it("leaves ordinary names alone at the blocking threshold", () => {
    for (const name of ["Alice Johnson", "Northwind Traders", "Global Logistics GmbH", "Acme Trading Ltd"]) {
      expect(lists.get("ofac")!.best(name, 0.95)).toBe(0);
    }
  });
});
