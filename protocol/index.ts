/** The public surface of `protocol/`: wire types, canonical bytes, signatures, names. */
export * from "./canonical.ts";
export * from "./crypto.ts";
export * from "./errors.ts";
export * from "./keyfile.ts";
export * from "./note.ts";
export * from "./routes.ts";
export * from "./subjects.ts";
export * from "./verdicts.ts";
export * from "./schemas/fields.ts";
export * from "./schemas/payment.ts";
export * from "./schemas/verdict.ts";
export * from "./schemas/decision.ts";
export * from "./schemas/network.ts";
export * from "./quorum.ts";
export * from "./log/chain.ts";
export * from "./log/verify.ts";
export * from "./schemas/challenge.ts";
