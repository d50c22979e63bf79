/**
 * A device fingerprint made by the server from the request alone: the
 * source network (IPv4 /24, IPv6 /48) and the headers a browser or client
 * library sends the same way every time (User-Agent, Accept-Language,
 * Accept-Encoding, the client hints). A client-sent device id is not part of
 * it: a client can claim any id, but not another network or software.
 */
import { createHash } from "node:crypto";
import ipaddr from "ipaddr.js";
import type { ClientInfo } from "../api/index.ts";

const HEADERS = [
  "user-agent",
  "accept-language",
  "accept-encoding",
  "sec-ch-ua",
  "sec-ch-ua-platform",
  "sec-ch-ua-mobile",
] as const;

/** The network an address is in: its /24 (IPv4, IPv4-mapped IPv6 too) or /48 (IPv6), as "addr/len". */
export function networkPrefix(ip: string): string {
  if (!ipaddr.isValid(ip)) return "unknown";
  const addr = ipaddr.process(ip);
  if (addr instanceof ipaddr.IPv4) return `${addr.octets.slice(0, 3).join(".")}.0/24`;
  return `${new ipaddr.IPv6([...addr.parts.slice(0, 3), 0, 0, 0, 0, 0]).toNormalizedString()}/48`;
}

/** The address as an event carries it (an IPv4-mapped IPv6 address as plain IPv4). */
export function plainIp(ip: string): string {
  return ipaddr.isValid(ip) ? ipaddr.process(ip).toString() : "0.0.0.0";
}

const header = (c: ClientInfo, name: string): string => {
  const v = c.headers[name];
  return (Array.isArray(v) ? v.join(", ") : (v ?? "")).slice(0, 512);
};

/** `fp_` and 32 hex digits of SHA-256 over the network prefix and the stable headers. */
export function deviceFingerprint(c: ClientInfo): string {
  const parts = [networkPrefix(c.ip), ...HEADERS.map((h) => header(c, h))];
  return `fp_${createHash("sha256").update(JSON.stringify(parts)).digest("hex").slice(0, 32)}`;
}
