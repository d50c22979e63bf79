/**
 * The local backoff beside the validators' lockout: each rejection of an
 * account's login by the network doubles how long the account stays refused
 * here (base, 2×base, 4×base, … up to max), whatever the network says in the
 * meantime. A login the network approves with the right password clears it,
 * and strikes are forgiven once a whole maximum backoff has passed quietly.
 * Per coordinator process and in memory: the lockout itself is the
 * validators' (their windows), this only spaces out the retries.
 */
export class LoginBackoff {
  readonly #o: { baseSeconds: number; maxSeconds: number; maxAccounts: number };
  readonly #byAccount = new Map<string, { strikes: number; untilMs: number }>();

  constructor(o: { baseSeconds: number; maxSeconds: number; maxAccounts?: number }) {
    this.#o = { maxAccounts: 100_000, ...o };
  }

  /** Seconds until `account` may try again (0: now). */
  remaining(account: string, nowMs: number): number {
    const b = this.#byAccount.get(account);
    return b && b.untilMs > nowMs ? (b.untilMs - nowMs) / 1000 : 0;
  }

  /** The network rejected a login of `account`: one more strike; returns the seconds it is now refused for. */
  strike(account: string, nowMs: number): number {
    const last = this.#byAccount.get(account);
    // Strikes long past (a whole maximum backoff since the last one ended) are forgiven.
    const stale = !last || last.untilMs + this.#o.maxSeconds * 1000 < nowMs;
    const strikes = (stale ? 0 : last.strikes) + 1;
    const seconds = Math.min(this.#o.maxSeconds, this.#o.baseSeconds * 2 ** Math.min(strikes - 1, 30));
    this.#byAccount.delete(account);
    this.#byAccount.set(account, { strikes, untilMs: nowMs + seconds * 1000 });
    if (this.#byAccount.size > this.#o.maxAccounts) this.#forgetOldest(nowMs);
    return seconds;
  }

  /** A successful login: the account starts afresh. */
  clear(account: string): void {
    this.#byAccount.delete(account);
  }

  /** Over capacity: drops accounts no longer refused, else the least recently struck. */
  #forgetOldest(nowMs: number): void {
    for (const [k, b] of this.#byAccount) if (b.untilMs <= nowMs) this.#byAccount.delete(k);
    while (this.#byAccount.size > this.#o.maxAccounts) this.#byAccount.delete(this.#byAccount.keys().next().value!);
  }
}
