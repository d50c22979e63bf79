/** Custody wallets bound to a tenant and its agents: who may name them as sender. */
import { describe, expect, it } from "vitest";
import type { SettlementOrder } from "../../protocol/index.ts";
import { foreignWallet, mayDebit, ownerOf, WalletFile, type Custody } from "./custody.ts";

const custody: Custody = new Map([
  ["W1", { tenant: "t1", agent_ids: ["agent-1", "ops-*"] }],
  ["W0", null],
]);

describe("custody wallets", () => {
  it("may be spent only by their tenant's bound agents", () => {
    expect(mayDebit(custody, "W1", "t1", "agent-1")).toBe(true);
    expect(mayDebit(custody, "W1", "t1", "ops-7")).toBe(true);
    expect(mayDebit(custody, "W1", "t1", "agent-2")).toBe(false);
    expect(mayDebit(custody, "W1", "t2", "agent-1")).toBe(false);
    expect(mayDebit(custody, "W1", "t1", undefined)).toBe(false);
  });

  it("a wallet bound to no one is spent by no one; an address the settler holds no key for is not custody", () => {
    expect(mayDebit(custody, "W0", "t1", "agent-1")).toBe(false);
    expect(mayDebit(custody, "elsewhere", "t2", "anyone")).toBe(true);
  });

  it("parses bound and bare wallet files", () => {
    expect(ownerOf(WalletFile.parse("/k.json"))).toBeNull();
    expect(ownerOf(WalletFile.parse({ file: "/k.json", tenant: "t1", agent_ids: ["a"] }))).toEqual({
      tenant: "t1",
      agent_ids: ["a"],
    });
    expect(WalletFile.safeParse({ file: "/k.json", tenant: "t1", agent_ids: [] }).success).toBe(false);
  });

  it("the settler fails an order naming a wallet its agent may not spend, before anything is signed", () => {
    const order = { payment_id: "pay_1", tenant_id: "t2", agent_id: "agent-1", sender: "W1", debug_mode: false };
    expect(foreignWallet(order as SettlementOrder, custody)).toMatchObject({
      status: "failed",
      error_details: { code: "WALLET_NOT_ALLOWED", sender: "W1" },
    });
    expect(foreignWallet({ ...order, tenant_id: "t1" } as SettlementOrder, custody)).toBeUndefined();
  });
});
