import { describe, expect, it } from "vitest";
import { geoOf } from "./geo.ts";

const berlin = { "cf-iplatitude": "52.52", "cf-iplongitude": "13.40", "cf-ipcountry": "DE", "cf-region-code": "BE" };
const at = (headers: Record<string, string>) => ({ ip: "203.0.113.7", headers });

describe("a login's location from a trusted proxy", () => {
  it("reads Cloudflare's visitor location headers only when told to", () => {
    expect(geoOf("cloudflare", at(berlin))).toEqual({ lat: 52.52, lon: 13.4, country_code: "DE", region: "DE-BE" });
    expect(geoOf("off", at(berlin))).toBeUndefined();
  });

  it("leaves out what is missing or malformed, and never guesses a point", () => {
    expect(geoOf("cloudflare", at({ "cf-ipcountry": "DE" }))).toBeUndefined();
    expect(geoOf("cloudflare", at({ ...berlin, "cf-iplatitude": "north" }))).toBeUndefined();
    expect(geoOf("cloudflare", at({ ...berlin, "cf-iplatitude": "123" }))).toBeUndefined();
    expect(geoOf("cloudflare", at({ ...berlin, "cf-ipcountry": "T1" }))).toEqual({ lat: 52.52, lon: 13.4 });
    expect(geoOf("cloudflare", at({ ...berlin, "cf-region-code": "not a region" }))).toEqual({
      lat: 52.52,
      lon: 13.4,
      country_code: "DE",
    });
  });
});
