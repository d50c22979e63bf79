/** The accounts' settings (coordinator config `accounts`), parsed once with the rest. */
import { z } from "zod";
import { GeoSources } from "./geo.ts";

const seconds = (dflt: number) => z.number().int().min(1).default(dflt);
const DAY = 86_400;

export const AccountsConfig = z
  .object({
    /** Where mail goes: smtp://[user:pass@]host:port (SMTP_URL). Without it, no mail is sent. */
    smtpUrl: z
      .string()
      .regex(/^smtps?:\/\/[^\s]+$/)
      .optional(),
    mailFrom: z.string().min(3).default("SentinelIQ <no-reply@sentineliq.local>"),
    /** The base of the links in mails (default: the coordinator's own URL). */
    publicUrl: z.url().optional(),
    /** JWT `iss` and `aud`. */
    issuer: z.string().min(1).default("sentineliq"),
    accessTtlSeconds: z.number().int().min(10).max(3600).default(900),
    refreshTtlSeconds: seconds(30 * DAY),
    verifyTtlSeconds: seconds(DAY),
    resetTtlSeconds: seconds(3600),
    inviteTtlSeconds: seconds(7 * DAY),
    /** The sign-in link mailed when the network steps a login up. */
    stepUpTtlSeconds: seconds(600),
    /** After the validator network rejects a login, the account is refused here this long, doubling per rejection. */
    loginBackoffSeconds: seconds(30),
    loginBackoffMaxSeconds: seconds(3600),
    /** Where a login's location comes from: "cloudflare" trusts its visitor location headers (geo.ts). */
    geoHeaders: z.enum(GeoSources).default("off"),
    /** A new signing key is made when the newest is older than this. */
    rotateKeysAfterSeconds: seconds(30 * DAY),
    /** `sentineliq dev`: an organisation with this owner (verified) exists once the coordinator is up. */
    devOwner: z
      .object({
        organization: z.string().min(1),
        email: z.string().min(3),
        password_hash: z.string().startsWith("$argon2id$"),
        /** The config tenant its agent keys act as (payments, events, custody wallets); default: the organisation's id. */
        tenant: z.string().min(1).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type AccountsConfig = z.infer<typeof AccountsConfig>;
