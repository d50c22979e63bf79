/**
 * @sentineliq/sdk: pay through a SentinelIQ network from an agent, with the
 * code path that led to each payment hashed, audited and sent along.
 *
 *   const payInvoice = paymentFunction(async function payInvoice(inv) { ... client.pay({...}) ... });
 *   const client = createClient({ baseUrl, apiKey, agentId: "agent-42", onChallenge });
 */
export {
  createClient,
  type ChallengeContext,
  type ChallengeHandler,
  type Client,
  type ClientOptions,
  type PayInput,
} from "./client.ts";
export { createAuditorClient, type AgentAudit, type AuditorClient, type ListQuery } from "./audit.ts";
export {
  currentPath,
  lineage,
  MAX_LINEAGE,
  onTagged,
  paymentFunction,
  step,
  tagOf,
  taggedFunctions,
  type TaggedFunction,
} from "./tagging.ts";
export { hashFunctionSource, normaliseFunction, SourceError } from "./normalise.ts";
export { extractTaggedFunctions, TAG_FUNCTION, type ExtractedFunction, type ExtractProblem } from "./extract.ts";
export * from "./errors.ts";
export type * from "./wire.ts";
export { routes } from "./wire.ts";
export { SDK_NAME, SDK_VERSION } from "./trace.ts";
export type { TransportOptions } from "./http.ts";
