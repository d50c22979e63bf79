/** The coordinator's signature on what it puts on the bus: made once, checked on the raw JSON, bound to every byte. */
import { describe, expect, it } from "vitest";
import { busSignatureHolds, readBusMessage, signBusMessage } from "./bus-signature.ts";
import { Signer, Verifier } from "./crypto.ts";

const coordinator = Signer.generate().signer;
const verifier = new Verifier(coordinator.publicKey);
const order = { type: "sentineliq.settle.v1", payment_id: "pay_1", amount: "12.50", debug_mode: true };
const bytes = (x: unknown) => new TextEncoder().encode(JSON.stringify(x));

describe("bus signatures", () => {
  it("reads back a signed message without its signature field", () => {
    const signed = signBusMessage(coordinator, order);
    expect(busSignatureHolds(verifier, signed)).toBe(true);
    expect(readBusMessage(verifier, bytes(signed))).toEqual({ message: order });
    // Signing again (a re-published task) replaces the signature, it does not sign the old one.
    expect(busSignatureHolds(verifier, signBusMessage(coordinator, signed))).toBe(true);
  });

  it("refuses unsigned, re-signed by another key, edited, extended and non-object messages", () => {
    const signed = signBusMessage(coordinator, order);
    const refused = [
      order,
      signBusMessage(Signer.generate().signer, order),
      { ...signed, amount: "25000" },
      { ...signed, receiver: "mallory" },
      { ...signed, bus_signature: signed.bus_signature.slice(0, 80) },
      [signed],
      "text",
      null,
    ];
    for (const m of refused) expect(readBusMessage(verifier, bytes(m))).toEqual({ refused: "BAD_BUS_SIGNATURE" });
    expect(readBusMessage(verifier, new Uint8Array([0xff, 0x7b]))).toMatchObject({ malformed: expect.any(String) });
  });

  it("refuses, never throws on, a message no canonical form exists for", () => {
    const text = JSON.stringify(signBusMessage(coordinator, order)).replace('"pay_1"', '"\\ud83d"');
    expect(readBusMessage(verifier, new TextEncoder().encode(text))).toEqual({ refused: "BAD_BUS_SIGNATURE" });
  });
});
