/**
 * Roles and organisation settings on real stores (PGlite, and PostgreSQL when DATABASE_URL is set): the rules of
 * who changes whose role, the last owner, two owners demoting each other at the same moment (one of them stays),
 * another organisation's ids, and what the trail records.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../lib/db.ts";
import type { AdminEvent, Trail } from "../log/index.ts";
import { storeKinds, testStore, type TestStore } from "../../test/helpers/db.ts";
import type { Role } from "../../protocol/index.ts";
import { OrgAdmin } from "./org-admin.ts";
import { migrateAccounts } from "./schema.ts";
import type { Person } from "./sessions.ts";
import { AccountStore } from "./store.ts";

for (const kind of storeKinds()) {
  describe(`roles and organisation settings (${kind})`, () => {
    let ts: TestStore;
    let db: Db;
    let store: AccountStore;
    let admin: OrgAdmin;
    const recorded: AdminEvent[] = [];
    const trail: Trail = {
      record: (e) => Promise.resolve(recorded.push(e)),
      note: (e) => void recorded.push(e),
    };
    let n = 0;
    const person = async (orgId: string, role: Role): Promise<Person> => {
      const userId = (await store.createUser(db, {
        orgId,
        email: `p${n++}@${kind}.test`,
        passwordHash: "h",
        role,
        verified: true,
      }))!;
      return { role: "user", userId, orgId, userRole: role, sessionId: "s" };
    };
    beforeAll(async () => {
      ts = testStore(kind);
      db = await ts.open();
      await migrateAccounts(db);
      store = new AccountStore(db);
      admin = new OrgAdmin(store, trail);
    });
    afterAll(async () => {
      await db?.close().catch(() => {});
      await ts?.drop();
    });

    it("an owner changes roles; an admin only below admin; the last owner stays; another org's id is 404", async () => {
      const org = await store.createOrg(db, "Roles");
      const owner = await person(org, "owner");
      const adm = await person(org, "admin");
      const analyst = await person(org, "analyst");
      const outsider = await person(await store.createOrg(db, "Other"), "analyst");
      recorded.length = 0;

      expect((await admin.changeRole(adm, analyst.userId, "viewer")).role).toBe("viewer");
      await expect(admin.changeRole(adm, analyst.userId, "admin")).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(admin.changeRole(adm, owner.userId, "viewer")).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(admin.changeRole(owner, owner.userId, "admin")).rejects.toMatchObject({ code: "CONFLICT" });
      await expect(admin.changeRole(owner, outsider.userId, "viewer")).rejects.toMatchObject({ code: "NOT_FOUND" });
      expect((await admin.changeRole(owner, analyst.userId, "viewer")).role).toBe("viewer"); // unchanged: no entry
      expect(recorded).toEqual([
        {
          actor: { kind: "user", id: adm.userId, org },
          action: "user.role_changed",
          target: { kind: "user", id: analyst.userId },
          org,
          details: { from: "analyst", to: "viewer" },
        },
      ]);
      // A deactivated owner is no owner: the active one still cannot step down.
      const gone = await person(org, "owner");
      await store.deactivate(org, gone.userId);
      await expect(admin.changeRole(owner, owner.userId, "viewer")).rejects.toMatchObject({ code: "CONFLICT" });
    });

    it("two owners demoting each other at once: one change wins, the organisation keeps an owner", async () => {
      const org = await store.createOrg(db, "Race");
      const a = await person(org, "owner");
      const b = await person(org, "owner");
      const results = await Promise.allSettled([
        admin.changeRole(a, b.userId, "viewer"),
        admin.changeRole(b, a.userId, "viewer"),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const owners = (await store.listOrg(org)).filter((u) => u.role === "owner" && u.active);
      expect(owners).toHaveLength(1);
    });

    it("renames the organisation, recorded once; the view counts active people", async () => {
      const org = await store.createOrg(db, "Old name");
      const owner = await person(org, "owner");
      await person(org, "viewer");
      recorded.length = 0;
      expect(await admin.updateOrg(owner, { name: "New name" })).toMatchObject({
        id: org,
        name: "New name",
        members: 2,
      });
      expect(await admin.updateOrg(owner, { name: "New name" })).toMatchObject({ name: "New name" });
      expect(recorded).toEqual([
        {
          actor: { kind: "user", id: owner.userId, org },
          action: "org.settings_changed",
          target: { kind: "org", id: org },
          org,
          details: { name_from: "Old name", name: "New name" },
        },
      ]);
    });
  });
}
