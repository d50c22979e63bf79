/**
 * The step-up of a login the validator network challenged (BRUTE_FORCE,
 * IMPOSSIBLE_TRAVEL, …): when the password was right, a single-use sign-in
 * link goes to the account's address, and the login finishes with its token
 * (`POST /v1/auth/login/step-up`). The answer to the login is the same
 * whether or not a link went out, and the link is made after the answer, so
 * neither the answer nor its timing tells whether the password was right.
 */
import type { Logger } from "../../lib/logger.ts";
import { SiqError, type TokenPair } from "../../protocol/index.ts";
import type { Mailer } from "./mailer.ts";
import { newToken } from "./secrets.ts";
import type { Sessions } from "./sessions.ts";
import type { AccountStore } from "./store.ts";

export interface StepUpDeps {
  store: AccountStore;
  sessions: Sessions;
  mailer: Mailer;
  logger: Logger;
  ttlSeconds: number;
  /** The base of links in mails. */
  baseUrl: () => string;
}

export const STEP_UP_MESSAGE =
  "this login needs a step-up: if the password was right, a sign-in link is on its way to the address";

export class LoginStepUp {
  readonly #d: StepUpDeps;
  constructor(deps: StepUpDeps) {
    this.#d = deps;
  }

  /** Mails a sign-in link to a person who just gave the right password (in the background). */
  offer(u: { id: string; org_id: string; email: string }): void {
    const token = newToken();
    const { store } = this.#d;
    store
      .addLink(store.db, token, {
        purpose: "login",
        orgId: u.org_id,
        userId: u.id,
        email: u.email,
        ttlSeconds: this.#d.ttlSeconds,
      })
      .then(() => {
        const link = `${this.#d.baseUrl()}/auth/login-step-up?token=${encodeURIComponent(token)}`;
        this.#d.mailer.send({
          to: u.email,
          subject: "Finish signing in to SentinelIQ",
          text:
            `A sign-in to your account needs one more step:\n\n${link}\n\n` +
            "If this was not you, someone knows your password: reset it now.\n",
        });
      })
      .catch((err: Error) => this.#d.logger.error({ err: err.message }, "step-up link not made"));
  }

  /** The login's tokens for a sign-in link's token, once; LINK_TOKEN_INVALID otherwise. */
  async redeem(token: string): Promise<TokenPair> {
    const { store } = this.#d;
    const user = await store.db.tx(async (q) => {
      const link = await store.consumeLink(q, token, "login");
      return link?.user_id ? store.inOrg(link.org_id, link.user_id, q) : undefined;
    });
    if (!user?.active) throw new SiqError("LINK_TOKEN_INVALID", "the link is unknown, already used or expired");
    return this.#d.sessions.open(user);
  }
}
