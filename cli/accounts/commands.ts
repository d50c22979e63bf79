/**
 * `sentineliq org create`, `user invite | list | role`, `key create | list | rotate | revoke`:
 * the account routes, called as a person (./session.ts). Each prints a line a
 * person reads, or the answer as JSON with --json; a refusal prints its code and
 * exits 1.
 */
import type { AgentKeyIssued, AgentKeyList, AgentKeyView, Routes, UserView } from "../../protocol/index.ts";
import { Role, Roles } from "../../protocol/index.ts";
import { call, type CallResult } from "../shared/client.ts";
import { env } from "../shared/env.ts";
import { UsageError } from "../shared/flags.ts";
import { asPerson, baseUrlOf, refusal, type PersonFlags } from "./session.ts";

const out = (s: string) => void process.stdout.write(s + "\n");

interface Common extends PersonFlags {
  json?: boolean | undefined;
}

function answer<T>(res: CallResult<unknown>, flags: Common, line: (body: T) => string): number {
  if (res.status !== 200) {
    process.stderr.write(refusal(res) + "\n");
    return 1;
  }
  out(flags.json ? JSON.stringify(res.body) : line(res.body as T));
  return 0;
}

/** A new organisation with `owner` as its owner (password: SENTINELIQ_PASSWORD); a verification mail follows. */
export async function orgCreate(name: string, flags: Common & { owner: string }): Promise<number> {
  if (!env.password) throw new UsageError("set SENTINELIQ_PASSWORD: the new owner's password (12 characters or more)");
  const res = await call({ baseUrl: baseUrlOf(flags) }, "authRegister", {
    body: { email: flags.owner, password: env.password, organization: name },
  });
  return answer(
    res,
    flags,
    () =>
      `✓ organisation "${name}" registered with ${flags.owner} as its owner: follow the link in the verification ` +
      `mail, then sign in (dev: npx sentineliq mail shows it)`,
  );
}

export async function userInvite(email: string, flags: Common & { role: string }): Promise<number> {
  const res = await asPerson(flags, (t) => call(t, "adminInvite", { body: { email, role: flags.role } }));
  return answer(
    res,
    flags,
    (b: { role: string; organization: { name: string }; expires_at: string }) =>
      `✓ invited ${email} as ${b.role} of ${b.organization.name}: the mailed link works until ${b.expires_at}`,
  );
}

const userLine = (u: UserView) =>
  `${u.active ? "✓" : "✗"} ${u.id}  ${u.role.padEnd(7)}  ${u.email}${u.active ? "" : "  (deactivated)"}`;

/** A person's new role, at once (owners and admins; only an owner grants or takes owner or admin). */
export async function userRole(userId: string, role: string, flags: Common): Promise<number> {
  if (!Role.safeParse(role).success) throw new UsageError(`role: one of ${Roles.join(", ")}, not "${role}"`);
  const res = await asPerson(flags, (t) => call(t, "adminSetRole", { params: { user_id: userId }, body: { role } }));
  return answer(res, flags, (u: UserView) => `✓ ${u.email} (${u.id}) is now ${u.role} of ${u.organization.name}`);
}

export async function userList(flags: Common): Promise<number> {
  const res = await asPerson(flags, (t) => call(t, "adminUsers"));
  return answer(res, flags, (b: { users: UserView[] }) => b.users.map(userLine).join("\n"));
}

const keyLine = (k: AgentKeyView) =>
  `${k.status === "active" ? "✓" : "✗"} ${k.key_id}  ${k.prefix}…  ${k.status.padEnd(7)}  agents ${k.agent_ids.join(",")}  "${k.name}"`;

const issuedLines = (k: AgentKeyIssued) =>
  `${keyLine(k)}\n${k.api_key}\n(shown once: store it now; only its hash is kept)`;

type KeyAction = "create" | "list" | "rotate" | "revoke";
const ROUTE: Record<KeyAction, keyof Routes> = {
  create: "keysCreate",
  list: "keysList",
  rotate: "keysRotate",
  revoke: "keysRevoke",
};

export async function keyCommand(
  action: KeyAction,
  id: string | undefined,
  flags: Common & { agent?: string[] | undefined; name?: string | undefined },
): Promise<number> {
  if (action === "create" && !flags.agent?.length)
    throw new UsageError("--agent: name the agent id(s) the key may act for (repeat it for more)");
  const input =
    action === "create"
      ? { body: { name: flags.name ?? `key for ${flags.agent!.join(", ")}`, agent_ids: flags.agent } }
      : action === "list"
        ? {}
        : { params: { key_id: id ?? "" } };
  const res = await asPerson(flags, (t) => call(t, ROUTE[action], input));
  return answer(res, flags, (b: AgentKeyIssued | AgentKeyView | AgentKeyList) => {
    if ("keys" in b) return b.keys.length ? b.keys.map(keyLine).join("\n") : "no agent keys yet";
    return "api_key" in b ? issuedLines(b) : keyLine(b);
  });
}
