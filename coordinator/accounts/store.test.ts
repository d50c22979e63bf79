/** The account store on PGlite: mailed tokens work once and expire; people are found only in their organisation. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb, type Db } from "../../lib/db.ts";
import { migrateAccounts } from "./schema.ts";
import { newToken, tokenHash } from "./secrets.ts";
import { AccountStore } from "./store.ts";

describe("account store", () => {
  let db: Db;
  let store: AccountStore;
  let org: string;
  let other: string;
  let user: string;
  beforeAll(async () => {
    db = await openDb({ url: "memory://" });
    await migrateAccounts(db);
    store = new AccountStore(db);
    org = await store.createOrg(db, "A");
    other = await store.createOrg(db, "B");
    user = (await store.createUser(db, {
      orgId: org,
      email: "a@x.test",
      passwordHash: "h",
      role: "owner",
      verified: false,
    }))!;
  });
  afterAll(async () => {
    await db.close();
  });

  it("keeps one account per address", async () => {
    const again = await store.createUser(db, {
      orgId: other,
      email: "a@x.test",
      passwordHash: "h",
      role: "owner",
      verified: true,
    });
    expect(again).toBeUndefined();
  });

  it("finds a person only in their own organisation", async () => {
    expect((await store.inOrg(org, user))?.email).toBe("a@x.test");
    expect(await store.inOrg(other, user)).toBeUndefined();
    expect(await store.listOrg(other)).toEqual([]);
    await store.deactivate(other, user);
    expect((await store.inOrg(org, user))?.active).toBe(true);
  });

  it("stores a mailed token only as its hash; it works once, for its purpose, until it expires", async () => {
    const token = newToken();
    await store.addLink(db, token, { purpose: "verify", orgId: org, userId: user, email: "a@x.test", ttlSeconds: 60 });
    const rows = await db.query(`SELECT * FROM siq_link_tokens`);
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows[0]).toMatchObject({ token_sha256: tokenHash(token) });
    expect(await store.consumeLink(db, token, "reset")).toBeUndefined();
    expect(await store.consumeLink(db, token, "verify")).toMatchObject({ user_id: user, org_name: "A" });
    expect(await store.consumeLink(db, token, "verify")).toBeUndefined();

    const short = newToken();
    await store.addLink(db, short, { purpose: "reset", orgId: org, userId: user, email: "a@x.test", ttlSeconds: 1 });
    await new Promise((r) => setTimeout(r, 1100));
    expect(await store.consumeLink(db, short, "reset")).toBeUndefined();
  });
});
