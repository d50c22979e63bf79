/**
 * A validator contradicting itself, as an attacker holding its key would: a
 * second, different signed verdict for a payment it already voted on, put on
 * its own verdict subject. The coordinator must keep both as evidence and
 * exclude the validator.
 */
import { connect } from "@nats-io/transport-node";
import { jetstream } from "@nats-io/jetstream";
import { signVerdict, topology, type QuorumDecision, type SignedVerdict } from "../../protocol/index.ts";
import type { TestNetwork } from "./network.ts";

/** The logged decision of a payment's latest attempt. */
export async function decisionOf(net: TestNetwork, paymentId: string): Promise<QuorumDecision> {
  const rows = await net.db.query<{ entry: Buffer }>(
    "SELECT entry FROM siq_log_entries WHERE payment_id = $1 AND entry_type = 'sentineliq.decision.v1' ORDER BY idx DESC",
    [paymentId],
  );
  return JSON.parse(Buffer.from(rows[0]!.entry).toString("utf8")) as QuorumDecision;
}

/** Publishes a contradiction of `validatorId`'s counted verdict on `paymentId`, signed with its real key. */
export async function contradict(net: TestNetwork, validatorId: string, paymentId: string): Promise<SignedVerdict> {
  const d = await decisionOf(net, paymentId);
  const first = d.verdicts.find((v) => v.verdict.validator_id === validatorId);
  if (!first) throw new Error(`${validatorId} has no counted verdict on ${paymentId}`);
  const flipped = signVerdict(net.keys.get(validatorId)!.signer, {
    ...first.verdict,
    risk_level: first.verdict.risk_level === "LOW" ? "HIGH" : "LOW",
    score: first.verdict.risk_level === "LOW" ? 80 : 0,
    reasons: [],
  });
  const nc = await connect({ servers: net.natsUrl });
  try {
    await jetstream(nc).publish(topology(net.namespace).subjects.verdict(validatorId), JSON.stringify(flipped));
  } finally {
    await nc.close();
  }
  return flipped;
}
