/**
 * `sentineliq org`, `user` and `key`: organisations, people and agent API keys,
 * through the coordinator's account routes, as a signed-in person.
 */
import type { Command } from "commander";
import { z } from "zod";
import { collect, f, parseFlags } from "../shared/flags.ts";

const Person = { url: f.text, user: f.text, json: f.on };
const OrgFlags = z.object({ ...Person, owner: z.string().min(3) });
const InviteFlags = z.object({ ...Person, role: z.enum(["admin", "analyst", "auditor", "viewer"]) });
const Person_ = z.object(Person);
const KeyFlags = z.object({ ...Person, agent: f.list, name: f.text });

/** --url, --user and --json on a command. */
function person(c: Command): Command {
  return c
    .option("--url <url>", "coordinator URL (SENTINELIQ_URL; dev: from the dev credentials)")
    .option("--user <email>", "who signs in (SENTINELIQ_EMAIL; password: SENTINELIQ_PASSWORD; dev: the dev owner)")
    .option("--json", "print the answer as JSON");
}

export function registerAccounts(program: Command): void {
  const org = program.command("org").description("organisations (data in the store, never config)");
  person(org.command("create <name>"))
    .description("register a new organisation; --owner gets a verification mail (password: SENTINELIQ_PASSWORD)")
    .requiredOption("--owner <email>", "the new organisation's owner")
    .action(async (name: string, raw: unknown) => {
      const { orgCreate } = await import("./commands.ts");
      process.exitCode = await orgCreate(name, parseFlags(OrgFlags, raw));
    });

  const user = program.command("user").description("people of your organisation (owners and admins)");
  person(user.command("invite <email>"))
    .description("invite a person with a role; they join through the mailed link")
    .requiredOption("--role <role>", "admin, analyst, auditor or viewer")
    .action(async (email: string, raw: unknown) => {
      const { userInvite } = await import("./commands.ts");
      process.exitCode = await userInvite(email, parseFlags(InviteFlags, raw));
    });
  person(user.command("list"))
    .description("the people of your organisation: ids, roles, addresses")
    .action(async (raw: unknown) => {
      const { userList } = await import("./commands.ts");
      process.exitCode = await userList(parseFlags(Person_, raw));
    });
  person(user.command("role <user_id> <role>"))
    .description("give a person a new role at once (only an owner grants or takes owner or admin)")
    .action(async (userId: string, role: string, raw: unknown) => {
      const { userRole } = await import("./commands.ts");
      process.exitCode = await userRole(userId, role, parseFlags(Person_, raw));
    });

  const key = program.command("key").description("your organisation's agent API keys (owners and admins)");
  const run = (action: "create" | "list" | "rotate" | "revoke") => async (a: unknown, b?: unknown) => {
    const { keyCommand } = await import("./commands.ts");
    const [id, raw] = typeof a === "string" ? [a, b] : [undefined, a];
    process.exitCode = await keyCommand(action, id, parseFlags(KeyFlags, raw));
  };
  person(key.command("create"))
    .description("a new key bound to agent ids; the key is printed once, only its hash is kept")
    .option("--agent <id>", "an agent id (or prefix*) the key may act for; repeat for more", collect)
    .option("--name <text>", "what the key is for")
    .action(run("create"));
  person(key.command("list")).description("every key by id and prefix, never a secret").action(run("list"));
  person(key.command("rotate <key_id>"))
    .description("a new secret under the same key id, printed once; the old one is refused at once")
    .action(run("rotate"));
  person(key.command("revoke <key_id>"))
    .description("revoke a key: the very next request with it is refused")
    .action(run("revoke"));
}
