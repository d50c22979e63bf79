/** The SSRF stance: http(s) only, no credentials, and only public addresses unless the operator allows private ones. */
import { describe, expect, it } from "vitest";
import { attemptDelivery } from "./attempt.ts";
import { checkWebhookUrl, publicAddress } from "./url-policy.ts";
import { WebhooksConfig } from "./config.ts";

const refused = async (url: string, reason: string) => {
  const err = await checkWebhookUrl(url, false).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toMatchObject({ code: "WEBHOOK_URL_REFUSED", statusCode: 400 });
  expect((err as { issues: { message: string }[] }).issues[0]!.message).toMatch(new RegExp(`^${reason}:`));
};

describe("webhook URLs", () => {
  it("refuses private, loopback, link-local, CGNAT, multicast and reserved addresses by default", async () => {
    expect(WebhooksConfig.parse({}).allowPrivateUrls).toBe(false);
    for (const url of [
      "http://127.0.0.1/hook",
      "http://127.1/hook",
      "http://10.0.0.7/",
      "http://172.16.3.4/",
      "http://192.168.1.1/",
      "http://169.254.169.254/latest/meta-data/",
      "http://100.64.0.1/",
      "http://0.0.0.0/",
      "http://[::1]/",
      "http://[::ffff:127.0.0.1]/",
      "http://[fd00::1]/",
      "http://[fe80::1]/",
      "http://224.0.0.1/",
      "http://localhost:8080/hook",
    ])
      await refused(url, "private_address");
  });

  it("refuses other schemes, credentials in the URL and what is not a URL", async () => {
    await refused("ftp://203.0.113.9/x", "scheme");
    await refused("file:///etc/passwd", "scheme");
    await refused("javascript:alert(1)", "scheme");
    await refused("https://user:pw@93.184.216.34/", "userinfo");
    await refused("not a url", "not_a_url");
    await refused("https://no-such-host.invalid/hook", "unresolved");
  });

  it("accepts a public address, and a private one only when the operator allows it", async () => {
    expect((await checkWebhookUrl("https://93.184.216.34/hooks/siq", false)).href).toBe(
      "https://93.184.216.34/hooks/siq",
    );
    expect((await checkWebhookUrl("http://127.0.0.1:9000/hook", true)).port).toBe("9000");
    await expect(checkWebhookUrl("ftp://127.0.0.1/", true)).rejects.toMatchObject({ code: "WEBHOOK_URL_REFUSED" });
    expect(publicAddress("8.8.8.8")).toBe(true);
    expect(publicAddress("2606:4700:4700::1111")).toBe(true);
    expect(publicAddress("::ffff:10.0.0.1")).toBe(false);
    expect(publicAddress("not-an-ip")).toBe(false);
  });

  it("is checked again before every attempt: a private address is never called unless allowed", async () => {
    const endpoint = {
      id: "wh_0123456789abcdef",
      org_id: "org_a",
      url: "http://127.0.0.1:9/hook",
      format: "sentineliq" as const,
      routing_key: null,
      secret: "whsec_x",
    };
    const e = { id: "e1", type: "log.alarm" as const, created_at: "2026-01-01T00:00:00Z", tenant: null, data: {} };
    const r = await attemptDelivery(
      "dlv_x",
      e,
      endpoint,
      { attempt: 1, replay: 0 },
      { timeoutMs: 1000, allowPrivateUrls: false },
    );
    expect(r).toMatchObject({ ok: false, status_code: null });
    expect(r.error).toMatch(/private, loopback or reserved/);
  });
});
