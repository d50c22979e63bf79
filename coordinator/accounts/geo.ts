/**
 * Where a login comes from, when a proxy in front of the coordinator says so.
 * The coordinator has no GeoIP database of its own; behind Cloudflare with
 * "visitor location headers" on, `geoHeaders: "cloudflare"` reads
 * CF-IPCountry, CF-IPLatitude, CF-IPLongitude and CF-Region-Code, so the
 * default pack's impossible-travel and sanctioned-region rules act on the
 * platform's logins. Off by default: only a proxy that sets these headers on
 * every request (and drops a client's own) may be trusted with them.
 */
import { Geo } from "../../protocol/index.ts";
import type { ClientInfo } from "../api/index.ts";

export const GeoSources = ["off", "cloudflare"] as const;
export type GeoSource = (typeof GeoSources)[number];

const one = (c: ClientInfo, name: string): string | undefined => {
  const v = c.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** The request's location from the trusted proxy's headers; undefined when off, absent or malformed. */
export function geoOf(source: GeoSource, c: ClientInfo): Geo | undefined {
  if (source === "off") return undefined;
  const lat = Number(one(c, "cf-iplatitude"));
  const lon = Number(one(c, "cf-iplongitude"));
  // XX: unknown, T1: Tor (Cloudflare's own codes, no country); the schema refuses anything else not a country.
  const raw = one(c, "cf-ipcountry")?.toUpperCase();
  const country = raw && raw !== "XX" && raw !== "T1" ? raw : undefined;
  const region = one(c, "cf-region-code")?.toUpperCase();
  if (!one(c, "cf-iplatitude") || !one(c, "cf-iplongitude")) return undefined;
  const point = { lat, lon };
  for (const g of [
    {
      ...point,
      ...(country ? { country_code: country } : {}),
      ...(country && region ? { region: `${country}-${region}` } : {}),
    },
    // A region in a form ISO 3166-2 does not know still leaves the point and the country.
    { ...point, ...(country ? { country_code: country } : {}) },
    point,
  ]) {
    const geo = Geo.safeParse(g);
    if (geo.success) return geo.data;
  }
  return undefined;
}
