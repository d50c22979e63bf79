/** Quorum: checking each verdict, aggregating them into a decision, the pre-screen, reputation. */
export { Aggregator, type Evaluation, type Observed } from "./aggregator.ts";
export { prescreen, PrescreenConfig } from "./prescreen.ts";
export { decisionRecord } from "./record.ts";
export { Reputation } from "./reputation.ts";
export { Exclusions, type Excluded } from "./exclusions.ts";
export { collect, Tally, type Ballot, type Collected, type Vote, type VoteKind } from "./collector.ts";
