/** SMTP_URL, when set, is where the coordinator's mail goes: it overrides the config's `accounts.smtpUrl`. */
export function withSmtpEnv(raw: Record<string, unknown>, smtpUrl: string | undefined): Record<string, unknown> {
  if (!smtpUrl) return raw;
  return { ...raw, accounts: { ...(raw.accounts as object | undefined), smtpUrl } };
}
