/**
 * Which webhook URLs the coordinator will call (its SSRF stance): http or
 * https only, no credentials in the URL, and every address the host names (or
 * resolves to) must be a public unicast one — never loopback, private,
 * link-local (cloud metadata), CGNAT, multicast or reserved. Checked when an
 * endpoint is registered and again before every attempt (a name may resolve
 * elsewhere later). `webhooks.allowPrivateUrls` lifts the address rule, for
 * receivers on the operator's own network and for tests; it is off by default.
 */
import { lookup } from "node:dns/promises";
import ipaddr from "ipaddr.js";
import { SiqError } from "../../protocol/index.ts";

const refuse = (message: string, reason: string) =>
  new SiqError("WEBHOOK_URL_REFUSED", message, { issues: [{ path: "url", message: `${reason}: ${message}` }] });

/** True for an address a webhook may be sent to: public unicast (IPv4-mapped IPv6 judged as IPv4). */
export function publicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let a = ipaddr.parse(address);
  if (a.kind() === "ipv6" && (a as ipaddr.IPv6).isIPv4MappedAddress()) a = (a as ipaddr.IPv6).toIPv4Address();
  return a.range() === "unicast";
}

/** The URL, parsed, or WEBHOOK_URL_REFUSED saying why not. */
export async function checkWebhookUrl(raw: string, allowPrivate: boolean): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refuse(`not a URL: ${raw.slice(0, 100)}`, "not_a_url");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw refuse("only http and https URLs", "scheme");
  if (url.username || url.password) throw refuse("no credentials in the URL: the signature authenticates", "userinfo");
  if (allowPrivate) return url;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  if (ipaddr.isValid(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true })).map((a) => a.address);
    } catch {
      throw refuse(`${host} does not resolve`, "unresolved");
    }
  }
  const bad = addresses.find((a) => !publicAddress(a));
  if (bad !== undefined)
    throw refuse(`${host} is (or resolves to) ${bad}, a private, loopback or reserved address`, "private_address");
  return url;
}
