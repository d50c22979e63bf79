/**
 * The account flows: registration (a new organisation, or joining one by
 * invitation), email verification, login, password reset, the profile, and
 * the admin's people. No answer tells whether an address has an account:
 * register and reset-request answer the same either way, login refuses a
 * wrong password and an unknown address alike, after the same argon2 work
 * and the same trip through the validator network.
 */
import type { Logger } from "../../lib/logger.ts";
import type { Trail } from "../log/index.ts";
import { SiqError, type Role, type TokenPair, type UserView } from "../../protocol/index.ts";
import type { ClientInfo } from "../api/index.ts";
import type { AccountsConfig } from "./config.ts";
import type { LoginGuard } from "./login-guard.ts";
import { STEP_UP_MESSAGE, type LoginStepUp } from "./step-up.ts";
import type { Mailer } from "./mailer.ts";
import { checkPassword, hashPassword } from "./passwords.ts";
import { newToken } from "./secrets.ts";
import type { Person, Sessions } from "./sessions.ts";
import { userView, type AccountStore, type LinkPurpose } from "./store.ts";

export interface AccountDeps {
  store: AccountStore;
  sessions: Sessions;
  mailer: Mailer;
  /** Puts every login attempt through the validator network and acts on its decision. */
  guard: LoginGuard;
  /** Mails a sign-in link when the network steps a login up. */
  stepUp: LoginStepUp;
  config: AccountsConfig;
  logger: Logger;
  /** Records each people change (register, invite, deactivate, password reset) in the verdict log. */
  trail: Trail;
  /** The base of links in mails. */
  baseUrl: () => string;
}

const ACCEPTED = {
  status: "accepted",
  message: "if the address can receive it, a mail with a link is on its way",
};
const LINK_INVALID = () => new SiqError("LINK_TOKEN_INVALID", "the link is unknown, already used or expired");

export class AccountService {
  readonly #d: AccountDeps;
  constructor(deps: AccountDeps) {
    this.#d = deps;
  }

  async register(b: {
    email: string;
    password: string;
    organization?: string | undefined;
    invitation_token?: string | undefined;
  }) {
    const email = b.email.toLowerCase();
    const passwordHash = await hashPassword(b.password);
    if (b.invitation_token !== undefined) return this.#join(email, passwordHash, b.invitation_token);
    const { store } = this.#d;
    const created = await store.db
      .tx(async (q) => {
        const orgId = await store.createOrg(q, b.organization!);
        const userId = await store.createUser(q, { orgId, email, passwordHash, role: "owner", verified: false });
        if (!userId) throw new AlreadyRegistered();
        const token = newToken();
        await store.addLink(q, token, {
          purpose: "verify",
          orgId,
          userId,
          email,
          ttlSeconds: this.#d.config.verifyTtlSeconds,
        });
        return { token, orgId, userId };
      })
      .catch((e: unknown) => {
        if (e instanceof AlreadyRegistered) return undefined;
        throw e;
      });
    if (created) {
      this.#mailLink(email, "Verify your email for SentinelIQ", "verify-email", created.token, "Verify your address");
      // Not awaited: the answer must take the same time whether or not the address had an account.
      const actor = { kind: "user", id: created.userId, org: created.orgId } as const;
      this.#d.trail.note({
        actor,
        action: "org.created",
        target: { kind: "org", id: created.orgId },
        org: created.orgId,
      });
      this.#d.trail.note({
        actor,
        action: "user.registered",
        target: { kind: "user", id: created.userId },
        org: created.orgId,
        details: { role: "owner", via: "registration" },
      });
    } else this.#d.mailer.send({ to: email, subject: "SentinelIQ: you already have an account", text: ALREADY_TEXT });
    return ACCEPTED;
  }

  /** Joining by invitation: the mailed token proves the address, so the account is verified at once. */
  async #join(email: string, passwordHash: string, token: string) {
    const { store } = this.#d;
    const joined = await store.db.tx(async (q) => {
      const link = await store.consumeLink(q, token, "invite");
      if (!link || link.email !== email) throw LINK_INVALID();
      const id = await store.createUser(q, {
        orgId: link.org_id,
        email,
        passwordHash,
        role: link.role!,
        verified: true,
      });
      if (!id) throw new SiqError("CONFLICT", "this address already has an account: log in, or reset its password");
      return { id, org: link.org_id, role: link.role! };
    });
    await this.#d.trail.record({
      actor: { kind: "user", id: joined.id, org: joined.org },
      action: "user.registered",
      target: { kind: "user", id: joined.id },
      org: joined.org,
      details: { role: joined.role, via: "invitation" },
    });
    return { status: "registered", message: "you joined the organisation: log in" };
  }

  async verifyEmail(token: string) {
    const { store } = this.#d;
    await store.db.tx(async (q) => {
      const link = await store.consumeLink(q, token, "verify");
      if (!link?.user_id) throw LINK_INVALID();
      await store.markVerified(q, link.user_id);
    });
    return { status: "verified", message: "your address is verified: log in" };
  }

  /** The network's decision on the attempt comes first (login-guard.ts); then the password's. */
  async login(
    b: { email: string; password: string; device_id?: string | undefined },
    client: ClientInfo,
  ): Promise<TokenPair> {
    const email = b.email.toLowerCase();
    const user = await this.#d.store.byEmail(email);
    const ok = await checkPassword(user?.password_hash, b.password);
    const success = ok && user?.active === true;
    const answer = await this.#d.guard.screen({ email, account: user, success, client, deviceId: b.device_id });
    if (answer === "step_up") {
      if (success && user.email_verified) this.#d.stepUp.offer(user);
      throw new SiqError("STEP_UP_REQUIRED", STEP_UP_MESSAGE);
    }
    if (!success || !user) throw new SiqError("INVALID_CREDENTIALS", "wrong email or password");
    if (!user.email_verified)
      throw new SiqError("EMAIL_NOT_VERIFIED", "verify your address first: follow the link in the mail we sent");
    return this.#d.sessions.open(user);
  }

  async resetRequest(emailIn: string) {
    const email = emailIn.toLowerCase();
    const user = await this.#d.store.byEmail(email);
    if (user?.active) {
      const token = newToken();
      await this.#d.store.addLink(this.#d.store.db, token, {
        purpose: "reset",
        orgId: user.org_id,
        userId: user.id,
        email,
        ttlSeconds: this.#d.config.resetTtlSeconds,
      });
      this.#mailLink(email, "Reset your SentinelIQ password", "reset-password", token, "Set a new password");
    }
    return ACCEPTED;
  }

  async reset(b: { token: string; password: string }) {
    const passwordHash = await hashPassword(b.password);
    const { store } = this.#d;
    const link = await store.db.tx(async (q) => {
      const link = await store.consumeLink(q, b.token, "reset");
      if (!link?.user_id) throw LINK_INVALID();
      await store.setPassword(q, link.user_id, passwordHash);
      return { user: link.user_id, org: link.org_id };
    });
    await this.#d.trail.record({
      actor: { kind: "user", id: link.user, org: link.org },
      action: "user.password_reset",
      target: { kind: "user", id: link.user },
      org: link.org,
    });
    return { status: "password_reset", message: "your password is changed and every session ended: log in" };
  }

  async me(p: Person): Promise<UserView> {
    const u = await this.#d.store.inOrg(p.orgId, p.userId);
    if (!u) throw new SiqError("INVALID_TOKEN", "no such person");
    return userView(u);
  }

  async updateMe(p: Person, b: { display_name: string }): Promise<UserView> {
    await this.#d.store.setDisplayName(p.orgId, p.userId, b.display_name);
    return this.me(p);
  }

  async listUsers(p: Person) {
    return { users: (await this.#d.store.listOrg(p.orgId)).map(userView) };
  }

  async invite(p: Person, b: { email: string; role: Exclude<Role, "owner"> }) {
    if (b.role === "admin" && p.userRole !== "owner")
      throw new SiqError("FORBIDDEN", "only an owner can invite an admin");
    const me = await this.me(p);
    const email = b.email.toLowerCase();
    const token = newToken();
    const expires = await this.#d.store.addLink(this.#d.store.db, token, {
      purpose: "invite",
      orgId: p.orgId,
      email,
      role: b.role,
      ttlSeconds: this.#d.config.inviteTtlSeconds,
    });
    this.#mailLink(
      email,
      `You are invited to ${me.organization.name} on SentinelIQ`,
      "accept-invite",
      token,
      `Join as ${b.role}`,
    );
    await this.#d.trail.record({
      actor: { kind: "user", id: p.userId, org: p.orgId },
      action: "user.invited",
      target: { kind: "invitation", id: email },
      org: p.orgId,
      details: { role: b.role, expires_at: expires.toISOString() },
    });
    return { email, role: b.role, organization: me.organization, expires_at: expires.toISOString() };
  }

  /** Deactivates a person of the caller's organisation (404 for anyone else's); idempotent. */
  async deactivate(p: Person, userId: string): Promise<UserView> {
    const target = await this.#d.store.inOrg(p.orgId, userId);
    if (!target) throw new SiqError("NOT_FOUND", `no person ${userId}`);
    if (target.id === p.userId) throw new SiqError("CONFLICT", "you cannot deactivate yourself");
    if (target.role === "owner" && p.userRole !== "owner")
      throw new SiqError("FORBIDDEN", "only an owner can deactivate an owner");
    await this.#d.store.deactivate(p.orgId, userId);
    if (target.active)
      await this.#d.trail.record({
        actor: { kind: "user", id: p.userId, org: p.orgId },
        action: "user.deactivated",
        target: { kind: "user", id: userId },
        org: p.orgId,
        details: { role: target.role },
      });
    return userView((await this.#d.store.inOrg(p.orgId, userId))!);
  }

  /** `sentineliq dev`'s organisation and owner (verified), made once; the password is the dev credentials' one. */
  async ensureDevOwner(o: NonNullable<AccountsConfig["devOwner"]>): Promise<void> {
    const { store } = this.#d;
    const email = o.email.toLowerCase();
    const existing = await store.byEmail(email);
    if (existing) {
      if (existing.password_hash !== o.password_hash) await store.setPassword(store.db, existing.id, o.password_hash);
      if (o.tenant) await store.setTenant(store.db, existing.org_id, o.tenant);
      return;
    }
    await store.db.tx(async (q) => {
      const orgId = await store.createOrg(q, o.organization);
      if (o.tenant) await store.setTenant(q, orgId, o.tenant);
      await store.createUser(q, { orgId, email, passwordHash: o.password_hash, role: "owner", verified: true });
    });
    this.#d.logger.info({ email, organization: o.organization }, "dev organisation and owner created");
  }

  #mailLink(to: string, subject: string, page: string, token: string, action: string): void {
    const link = `${this.#d.baseUrl()}/auth/${page}?token=${encodeURIComponent(token)}`;
    this.#d.mailer.send({
      to,
      subject,
      text: `${action}:\n\n${link}\n\nIf you did not ask for this, ignore this mail.\n`,
    });
  }
}

const ALREADY_TEXT =
  "Someone (you?) tried to register this address with SentinelIQ, but it already has an account.\n" +
  "Log in, or ask for a password reset.\n";

class AlreadyRegistered extends Error {}

export type { LinkPurpose };
