import { describe, expect, it } from "vitest";
import { deviceFingerprint, networkPrefix, plainIp } from "./fingerprint.ts";

const firefox = {
  "user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
  "accept-language": "de-DE,de;q=0.9",
  "accept-encoding": "gzip, deflate, br",
};

describe("device fingerprint", () => {
  it("takes the /24 of IPv4 (mapped too) and the /48 of IPv6", () => {
    expect(networkPrefix("203.0.113.77")).toBe("203.0.113.0/24");
    expect(networkPrefix("::ffff:203.0.113.77")).toBe("203.0.113.0/24");
    expect(networkPrefix("2001:db8:abcd:12::1")).toBe("2001:db8:abcd:0:0:0:0:0/48");
    expect(networkPrefix("not an address")).toBe("unknown");
    expect(plainIp("::ffff:127.0.0.1")).toBe("127.0.0.1");
    expect(plainIp("2001:db8::1")).toBe("2001:db8::1");
  });

  it("is the same on the same network and software, whatever the host in the /24", () => {
    const a = deviceFingerprint({ ip: "203.0.113.7", headers: firefox });
    expect(a).toMatch(/^fp_[0-9a-f]{32}$/);
    expect(deviceFingerprint({ ip: "203.0.113.200", headers: { ...firefox } })).toBe(a);
  });

  it("differs when the network, the User-Agent or the language differ", () => {
    const a = deviceFingerprint({ ip: "203.0.113.7", headers: firefox });
    const others = [
      deviceFingerprint({ ip: "198.51.100.7", headers: firefox }),
      deviceFingerprint({ ip: "203.0.113.7", headers: { ...firefox, "user-agent": "curl/8.5.0" } }),
      deviceFingerprint({ ip: "203.0.113.7", headers: { ...firefox, "accept-language": "en-US" } }),
      deviceFingerprint({ ip: "203.0.113.7", headers: {} }),
    ];
    expect(new Set([a, ...others]).size).toBe(5);
  });

  it("cannot be steered by a client-sent device id header (not an input)", () => {
    const a = deviceFingerprint({ ip: "203.0.113.7", headers: firefox });
    expect(deviceFingerprint({ ip: "203.0.113.7", headers: { ...firefox, "x-device-id": "dev-1" } })).toBe(a);
  });
});
