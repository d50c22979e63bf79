/**
 * Why the quorum rejected a payment, as one stable code: the class of its
 * decisive reason. Rule reason codes are many and packs add their own; a
 * client needs a handful of classes it can act on. Every class is a code of
 * the error catalogue (`errors.ts`, `docs/ERRORS.md`).
 *
 * A payment rejected without a quorum (it failed closed) is `QUORUM_FAILED`,
 * whatever its reasons. Otherwise the decisive reason is the one the most
 * validators gave (a lone validator cannot relabel a rejection by adding a
 * reason of its own); among those, the class first in `RejectionClasses`.
 * Codes not in the table (another pack's, or a validator's invention, such as
 * `QUORUM_TIMEOUT`, which only the coordinator gives) fall into the generic
 * `RISK_REJECTED`.
 */
import type { WireCode } from "./errors.ts";
import type { QuorumOutcomes } from "./schemas/decision.ts";

/** Class → what it means and the default pack's reason codes in it. In precedence order; never renamed. */
export const RejectionClasses = {
  /** Chosen by the quorum's outcome, never by a reason code. */
  QUORUM_FAILED: {
    message: "the validators formed no quorum, and the payment failed closed",
    codes: [],
  },
  /** Chosen by the quorum's outcome (`unsafe`): too few trusted validators are left to decide anything. */
  QUORUM_UNSAFE: {
    message:
      "too many validators are excluded for equivocation for the rest to tolerate f faults; the network fails closed",
    codes: [],
  },
  SANCTIONS_BLOCKED: {
    message: "a party, place or address of the payment is sanctioned",
    codes: [
      "SANCTIONED_COUNTRY",
      "SANCTIONED_ENTITY",
      "SANCTIONED_ADDRESS",
      "SANCTIONS_POSSIBLE_MATCH",
      "SANCTIONED_REGION_ACCESS",
    ],
  },
  AUDIT_MISMATCH: {
    message: "the code that made the payment does not match audited code (tAudit)",
    codes: ["REVOKED_CODE_PATH", "UNAUDITED_CODE_PATH", "NO_CODE_LINEAGE"],
  },
  TRUST_BREACH: {
    message: "the paying agent or its account looks compromised or restricted",
    codes: [
      "ACCOUNT_TAKEOVER",
      "PROMPT_INJECTION",
      "BRUTE_FORCE",
      "CREDENTIAL_STUFFING",
      "IMPOSSIBLE_TRAVEL",
      "ACCOUNT_UNDER_ATTACK",
      "ACCOUNT_LOCKOUT",
      "AGENT_RESTRICTED",
    ],
  },
  AML_PATTERN: {
    message: "the payment fits a money-laundering pattern",
    codes: ["STRUCTURING", "FAN_IN", "FAN_OUT", "PAYMENT_CYCLE", "REPEATED_PAYMENTS"],
  },
  VALIDATION_FAILURE: {
    message: "the payment does not hold up against its stated purpose or the limits that apply to it",
    codes: [
      "NO_STATED_PURPOSE",
      "PURPOSE_AMOUNT_MISMATCH",
      "PURPOSE_RECEIVER_MISMATCH",
      "SELF_PAYMENT",
      "AMOUNT_OVER_LIMIT",
      "NEW_AGENT_LIMIT",
      "TRUSTED_AGENT_LIMIT",
      "LIVE_PAYMENTS_DISABLED",
    ],
  },
  /** The generic class: behavioural anomalies, a high composite score, and every unknown code. */
  RISK_REJECTED: {
    message: "the payment's risk is too high",
    codes: ["AMOUNT_ANOMALY", "NEW_RECEIVER_LARGE", "UNUSUAL_HOUR"],
  },
} as const satisfies { [K in WireCode]?: { message: string; codes: readonly string[] } };

export type RejectionClass = keyof typeof RejectionClasses;

const ORDER = Object.keys(RejectionClasses) as RejectionClass[];
const CLASS_OF = new Map<string, RejectionClass>(
  ORDER.flatMap((cls) => RejectionClasses[cls].codes.map((code) => [code, cls] as const)),
);

/** The class of one reason code; unknown codes are `RISK_REJECTED`. */
export function rejectionClass(reasonCode: string): RejectionClass {
  return CLASS_OF.get(reasonCode) ?? "RISK_REJECTED";
}

/** A rejected payment's `error_details`: its class, what that means, and the reason codes that decided it. */
export type RejectionDetails = {
  code: RejectionClass;
  message: string;
  reasons: string[];
};

/**
 * `reasons` as the quorum summarised them (each code with how many validators gave it), and the quorum's
 * outcome: anything but "agreed" is a fail-closed decision.
 */
export function rejectionDetails(
  reasons: readonly { code: string; validators: number }[],
  outcome: (typeof QuorumOutcomes)[number] = "agreed",
): RejectionDetails {
  if (outcome === "unsafe")
    return {
      code: "QUORUM_UNSAFE",
      message: describe("QUORUM_UNSAFE", ["VALIDATORS_EXCLUDED"]),
      reasons: ["VALIDATORS_EXCLUDED"],
    };
  if (outcome !== "agreed") {
    const code = outcome === "timeout" ? "QUORUM_TIMEOUT" : "QUORUM_NOT_REACHED";
    return { code: "QUORUM_FAILED", message: describe("QUORUM_FAILED", [code]), reasons: [code] };
  }
  const top = Math.max(0, ...reasons.map((r) => r.validators));
  const decisive = reasons.filter((r) => r.validators === top);
  const rank = (cls: RejectionClass) => ORDER.indexOf(cls);
  const code = decisive
    .map((r) => rejectionClass(r.code))
    .reduce<RejectionClass>((best, cls) => (rank(cls) < rank(best) ? cls : best), "RISK_REJECTED");
  const codes = [...new Set(decisive.filter((r) => rejectionClass(r.code) === code).map((r) => r.code))];
  return { code, message: describe(code, codes), reasons: codes };
}

function describe(cls: RejectionClass, codes: string[]): string {
  return `rejected: ${RejectionClasses[cls].message}${codes.length > 0 ? ` (${codes.join(", ")})` : ""}`;
}
