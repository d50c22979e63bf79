/**
 * Operator accounts on the wire: organisations, people and their roles, the
 * login tokens, and the email flows (verification, password reset,
 * invitation). Every token a mail carries travels as `token=` in a link.
 */
import { z } from "zod";
import { safeText } from "../schemas/safe.ts";

/** The roles a person holds in one organisation, most powerful first. */
export const Roles = ["owner", "admin", "analyst", "auditor", "viewer"] as const;
export const Role = z.enum(Roles);
export type Role = z.infer<typeof Role>;

/** The minimum length of a new password. */
export const MIN_PASSWORD_LENGTH = 12;

export const Email = z
  .string()
  .max(254)
  .regex(/^[^\s@"<>()[\],;:\\]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/, "must be an email address");

/** A new password: at least MIN_PASSWORD_LENGTH characters (WEAK_PASSWORD otherwise). */
export const NewPassword = z.string().superRefine((s, ctx) => {
  if (s.length < MIN_PASSWORD_LENGTH || s.length > 256)
    ctx.addIssue({
      code: "custom",
      message: `must be ${MIN_PASSWORD_LENGTH} to 256 characters`,
      params: { code: "WEAK_PASSWORD" },
    });
});

/** An opaque token (refresh, verification, reset, invitation): base64url. */
export const OpaqueToken = z.string().regex(/^[A-Za-z0-9_-]{20,200}$/, "must be a token as issued");

export const UserId = z.string().regex(/^usr_[A-Za-z0-9_-]{10,40}$/, "must be a user id such as usr_…");

export const RegisterRequest = z
  .object({
    email: Email,
    password: NewPassword,
    /** The new organisation's name (omit when joining by invitation). */
    organization: safeText(200).min(1).optional(),
    /** The token of an invitation mail: joins that organisation with the invited role. */
    invitation_token: OpaqueToken.optional(),
  })
  .strict()
  .refine((b) => (b.organization === undefined) !== (b.invitation_token === undefined), {
    message: "send either organization (a new one) or invitation_token (joining one)",
    path: ["organization"],
  });

export const LoginRequest = z
  .object({
    email: Email,
    password: z.string().min(1).max(1024),
    /** The client's own device id, if it keeps one: sent to the validators beside the server's fingerprint. */
    device_id: safeText(128).min(1).optional(),
  })
  .strict();
export const TokenRequest = z.object({ token: OpaqueToken }).strict();
export const RefreshRequest = z.object({ refresh_token: OpaqueToken }).strict();
export const ResetRequest = z.object({ email: Email }).strict();
export const PasswordReset = z.object({ token: OpaqueToken, password: NewPassword }).strict();
export const InviteRequest = z.object({ email: Email, role: Role.exclude(["owner"]) }).strict();
export const MeUpdate = z.object({ display_name: safeText(200) }).strict();
export const UserParams = z.object({ user_id: UserId }).strict();
/** A person's new role (owners and admins; only an owner grants or takes owner or admin). */
export const RoleChange = z.object({ role: Role }).strict();
/** The organisation's settings an owner or admin may change. */
export const OrgUpdate = z.object({ name: safeText(200).min(1) }).strict();

export const TokenPair = z.object({
  access_token: z.string(),
  refresh_token: z.string(),
  token_type: z.literal("Bearer"),
  /** Seconds until the access token expires. */
  expires_in: z.number().int(),
});
export type TokenPair = z.infer<typeof TokenPair>;

/** What an accepted request that sends mail answers, whoever the address belongs to. */
export const Accepted = z.object({ status: z.string(), message: z.string() });

export const UserView = z.object({
  id: UserId,
  email: z.string(),
  display_name: z.string().nullable(),
  role: Role,
  organization: z.object({ id: z.string(), name: z.string() }),
  email_verified: z.boolean(),
  active: z.boolean(),
  created_at: z.string(),
});
export type UserView = z.infer<typeof UserView>;

export const UserList = z.object({ users: z.array(UserView) });

export const InvitationView = z.object({
  email: z.string(),
  role: Role,
  organization: z.object({ id: z.string(), name: z.string() }),
  expires_at: z.string(),
});

export const OrgView = z.object({
  id: z.string(),
  name: z.string(),
  created_at: z.string(),
  /** The people of the organisation, active ones only. */
  members: z.number().int(),
});
export type OrgView = z.infer<typeof OrgView>;

export const Jwks = z.object({ keys: z.array(z.object({ kid: z.string(), kty: z.string() }).catchall(z.unknown())) });
