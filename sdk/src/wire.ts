/**
 * The coordinator's HTTP API as this package sees it: routes and shapes.
 * The source of truth is the server's `protocol/` (zod schemas and route
 * definitions); a test in the SentinelIQ repository checks that these stay
 * identical, so the published package needs neither zod nor the server.
 */
export const routes = {
  createPayment: { method: "POST", path: "/v1/payments" },
  getPayment: { method: "GET", path: "/v1/payments/:payment_id" },
  challengeResponse: { method: "POST", path: "/v1/payments/:payment_id/challenge-response" },
  auditSubmit: { method: "POST", path: "/v1/audit/code" },
  auditList: { method: "GET", path: "/v1/audit/code" },
  auditGet: { method: "GET", path: "/v1/audit/code/:code_hash" },
  auditApprove: { method: "POST", path: "/v1/audit/code/:code_hash/approve" },
  auditRevoke: { method: "POST", path: "/v1/audit/code/:code_hash/revoke" },
} as const;

export type RouteName = keyof typeof routes;

export type RiskLevel = "LOW" | "MEDIUM" | "HIGH" | "CRITICAL";
export type Decision = "approve" | "challenge" | "reject";
export type PaymentStatus = "pending" | "evaluating" | "challenged" | "approved" | "rejected" | "settled" | "failed";

export interface TraceContext {
  purpose?: string;
  steps?: string[];
  [key: string]: unknown;
}

export interface PaymentRequest {
  idempotency_key: string;
  agent_id: string;
  sender: string;
  receiver: string;
  amount: string;
  currency: string;
  debug_mode: boolean;
  trace_context: TraceContext;
  func_stack_hashes: string[];
  metadata?: { country_code?: string; [key: string]: unknown };
}

export interface Reason {
  code: string;
  message: string;
  rule_id?: string;
  validators: number;
}

export interface Challenge {
  challenge_id: string;
  /** proof_of_purpose, logs, metadata, step_up, ... */
  kind: string;
  /** The fields the answer's `responses` must carry. */
  requested: string[];
  /** Echoed back with the answer (required there; each nonce answers once). */
  nonce?: string;
  expires_at: string;
  /** The attempt this challenge follows. */
  attempt?: number;
}

export interface ErrorDetails {
  code: string;
  message: string;
  issues?: { path: string; message: string }[];
  [key: string]: unknown;
}

export interface Payment {
  payment_id: string;
  idempotency_key: string;
  agent_id: string;
  status: PaymentStatus;
  risk_level?: RiskLevel;
  decision?: Decision;
  reasons: Reason[];
  challenge?: Challenge;
  settlement?: { network: "simulated" | "solana"; transaction_hash?: string; settled_at?: string };
  error_details?: ErrorDetails;
  log_index?: number;
  /** Evaluation attempt: 1, then one more per answered challenge. */
  attempt?: number;
  payment_digest: string;
  created_at: string;
  decided_at?: string;
  verdicts?: unknown[];
}

export interface ChallengeAnswer {
  challenge_id: string;
  /** The challenge's nonce: required, and good for one answer. */
  nonce: string;
  responses: Record<string, unknown>;
}

export type AuditState = "pending" | "approved" | "revoked";

export interface AuditSubmission {
  code_hash: string;
  name: string;
  source: string;
}

export interface AuditRecord {
  code_hash: string;
  name: string;
  state: AuditState;
  source?: string;
  note?: string;
  log_index: number;
  created_at: string;
  updated_at: string;
  created?: boolean;
}

export interface AuditList {
  records: AuditRecord[];
  next?: string;
}

/** The one error shape every failed request answers with. */
export interface WireError {
  statusCode: number;
  error: string;
  code: string;
  message: string;
  error_details: ErrorDetails;
}
