import { describe, expect, it } from "vitest";
import { EventRequest } from "./event.ts";

const base = { event_id: "e1", user_id: "usr_abcdefghij", ip: "203.0.113.7" };

describe("login events on the wire", () => {
  it("a login event says how the password check went, and only a login event does", () => {
    expect(EventRequest.safeParse({ ...base, kind: "login", outcome: "failure" }).success).toBe(true);
    expect(EventRequest.safeParse({ ...base, kind: "login", outcome: "success" }).success).toBe(true);
    const bare = EventRequest.safeParse({ ...base, kind: "login" });
    expect(bare.success).toBe(false);
    expect(bare.error?.issues[0]?.path).toEqual(["outcome"]);
    expect(EventRequest.safeParse({ ...base, kind: "login", outcome: "maybe" }).success).toBe(false);
    expect(EventRequest.safeParse({ ...base, kind: "login_failure", outcome: "failure" }).success).toBe(false);
    expect(EventRequest.safeParse({ ...base, kind: "login_failure" }).success).toBe(true);
  });
});
