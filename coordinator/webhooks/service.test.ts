/** An event reaches the stream even when the bus refuses the first publishes (it reconnects, say). */
import { describe, expect, it } from "vitest";
import { memoryBus, type Bus } from "../../lib/bus/index.ts";
import { createLogger } from "../../lib/logger.ts";
import type { Db } from "../../lib/db.ts";
import { Signer, topology } from "../../protocol/index.ts";
import { WebhooksConfig } from "./config.ts";
import { WebhookService } from "./service.ts";
import { WebhookStore } from "./store.ts";

describe("WebhookService.emit", () => {
  it("tries a refused publish again, with the same de-duplication id, until the bus takes it", async () => {
    const real = memoryBus();
    const seen: (string | undefined)[] = [];
    let refusals = 2;
    const bus: Bus = {
      ...real,
      publish: (subject, data, opts) => {
        seen.push(opts?.msgId);
        if (refusals-- > 0) return Promise.reject(new Error("no responders"));
        return real.publish(subject, data, opts);
      },
    };
    const service = new WebhookService({
      store: new WebhookStore(null as unknown as Db),
      bus,
      topology: topology("whunit"),
      busSigner: Signer.generate().signer,
      config: WebhooksConfig.parse({}),
      logger: createLogger("test", "silent"),
    });
    service.emit({ id: "payment.rejected:pay_1:1", type: "payment.rejected", tenant: "t", data: {} });
    const end = Date.now() + 5000;
    while (seen.length < 3 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual(["payment.rejected:pay_1:1", "payment.rejected:pay_1:1", "payment.rejected:pay_1:1"]);
  });
});
