/**
 * Every operator login attempt, right password or wrong, known address or
 * not, is a `login` event through the validator network (the `POST
 * /v1/events` path: quorum, then the verdict log), and the quorum's decision
 * is acted on before the password's verdict is told:
 * - approve: the login goes on (tokens for the right password, 401 otherwise);
 * - challenge: STEP_UP_REQUIRED, and a sign-in link by mail when the password
 *   was right (step-up.ts);
 * - reject: ACCOUNT_LOCKED, with Retry-After from a local backoff that
 *   doubles with each rejection (per account for ACCOUNT_LOCKOUT, per source
 *   address for anything else, such as CREDENTIAL_STUFFING);
 * - no decision in time, no quorum, or the bus down: LOGIN_UNDECIDED (fail closed).
 * The event's tenant is the account's organisation's (its own id, or the
 * config tenant its agents act as); an unknown address's
 * attempt goes to UNKNOWN_ACCOUNTS_TENANT with a keyed hash of the address as
 * its subject, through the same path, so it is answered alike.
 */
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import type { Db } from "../../lib/db.ts";
import type { Logger } from "../../lib/logger.ts";
import { isSiqError, SiqError, type EventRequest, type EventView, type Geo } from "../../protocol/index.ts";
import type { ClientInfo } from "../api/index.ts";
import { deviceFingerprint, plainIp } from "./fingerprint.ts";
import { geoOf, type GeoSource } from "./geo.ts";
import { LoginBackoff } from "./login-backoff.ts";

/** Where login events go: the events service's submit. */
export interface LoginEvents {
  submit(tenant: string, body: EventRequest): Promise<EventView>;
}

/** The tenant of login attempts for addresses with no account. */
export const UNKNOWN_ACCOUNTS_TENANT = "platform:unknown-accounts";
/** Seconds a client is told to wait when the network could not decide. */
export const UNDECIDED_RETRY_SECONDS = 5;

export interface LoginAttempt {
  /** The address as typed, lower case. */
  email: string;
  /** The account of that address, if any (active or not), with its organisation's tenant. */
  account: { id: string; org_tenant: string } | undefined;
  /** The password was right and the account is active. */
  success: boolean;
  client: ClientInfo;
  /** The client's own device id, if it sent one. */
  deviceId?: string | undefined;
}

interface GuardOptions {
  backoffSeconds: number;
  backoffMaxSeconds: number;
  geoHeaders: GeoSource;
  logger: Logger;
}

const withGeo = (geo: Geo | undefined) => (geo ? { geo } : {});

export type LoginAnswer = "proceed" | "step_up" | "locked" | "undecided";

const NO_QUORUM = new Set(["QUORUM_TIMEOUT", "QUORUM_NOT_REACHED", "VALIDATORS_EXCLUDED"]);

/** What the network's answer means for the login. */
export function answerOf(view: EventView): LoginAnswer {
  if (view.status !== "decided" || !view.decision) return "undecided";
  const first = view.reasons[0]?.code ?? "";
  if (NO_QUORUM.has(first) && !(view.decision === "reject" && view.risk_level === "CRITICAL")) return "undecided";
  if (view.decision === "reject") return "locked";
  return view.decision === "challenge" ? "step_up" : "proceed";
}

export class LoginGuard {
  readonly #events: LoginEvents;
  readonly #key: Buffer;
  readonly #backoff: LoginBackoff;
  readonly #logger: Logger;
  readonly #geo: GeoSource;

  private constructor(events: LoginEvents, key: Buffer, backoff: LoginBackoff, o: GuardOptions) {
    this.#events = events;
    this.#key = key;
    this.#backoff = backoff;
    this.#logger = o.logger;
    this.#geo = o.geoHeaders;
  }

  /** The guard, with the key that hashes unknown addresses (made once, kept in the store). */
  static async open(db: Db, events: LoginEvents, o: GuardOptions): Promise<LoginGuard> {
    await db.query(`INSERT INTO siq_login_key (id, secret) VALUES (1, $1) ON CONFLICT (id) DO NOTHING`, [
      randomBytes(32).toString("base64url"),
    ]);
    const [row] = await db.query<{ secret: string }>(`SELECT secret FROM siq_login_key WHERE id = 1`);
    const backoff = new LoginBackoff({ baseSeconds: o.backoffSeconds, maxSeconds: o.backoffMaxSeconds });
    return new LoginGuard(events, Buffer.from(row!.secret, "base64url"), backoff, o);
  }

  /** The event for one attempt (pure but for its random id). */
  event(a: LoginAttempt): { tenant: string; subject: string; body: EventRequest } {
    const subject =
      a.account?.id ?? `anon:${createHmac("sha256", this.#key).update(a.email).digest("hex").slice(0, 32)}`;
    const body: EventRequest = {
      event_id: `login:${randomUUID()}`,
      kind: "login",
      outcome: a.success ? "success" : "failure",
      user_id: subject,
      ip: plainIp(a.client.ip),
      device_id: deviceFingerprint(a.client),
      ...withGeo(geoOf(this.#geo, a.client)),
      ...(a.deviceId !== undefined ? { metadata: { client_device_id: a.deviceId } } : {}),
    };
    return { tenant: a.account?.org_tenant ?? UNKNOWN_ACCOUNTS_TENANT, subject, body };
  }

  /** Submits the attempt and waits for the network; throws a refusal, or says whether the login needs a step-up. */
  async screen(a: LoginAttempt): Promise<"proceed" | "step_up"> {
    const { tenant, subject, body } = this.event(a);
    let view: EventView;
    try {
      view = await this.#events.submit(tenant, body);
    } catch (err) {
      if (!isSiqError(err) || err.statusCode < 500) throw err;
      throw undecided(err);
    }
    const answer = answerOf(view);
    const now = Date.now();
    if (answer === "undecided") throw undecided();
    // A lockout is the account's; any other rejection (credential stuffing, …) is the source address's.
    const source = `ip:${body.ip}`;
    if (answer === "locked") {
      const key = view.reasons.some((r) => r.code === "ACCOUNT_LOCKOUT") ? subject : source;
      const seconds = this.#backoff.strike(key, now);
      this.#logger.warn({ tenant, subject, event_id: body.event_id, log_index: view.log_index }, "login locked");
      throw locked(seconds);
    }
    const wait = Math.max(this.#backoff.remaining(subject, now), this.#backoff.remaining(source, now));
    if (wait > 0) throw locked(wait);
    if (answer === "proceed" && a.success) this.#backoff.clear(subject);
    return answer;
  }
}

const locked = (seconds: number) =>
  new SiqError("ACCOUNT_LOCKED", "the risk network refused this login: the account or this address is locked for now", {
    retryAfterSeconds: seconds,
  });

const undecided = (cause?: unknown) =>
  new SiqError("LOGIN_UNDECIDED", "the risk network could not decide this login in time; try again shortly", {
    retryAfterSeconds: UNDECIDED_RETRY_SECONDS,
    ...(cause !== undefined ? { cause } : {}),
  });
