/**
 * Rate limits lifted, for the networks `sentineliq bench` drives: the bench's own, and the dev network
 * (`npm start`), which `sentineliq bench` measures. One key from one address as fast as the network
 * answers is the point there; production keeps the defaults (coordinator/api/edge-config.ts).
 */
const LIFTED = { max: 1_000_000_000, windowMs: 60_000 };

export const BENCH_RATE_LIMITS = { perIp: LIFTED, perKey: LIFTED, perUser: LIFTED, perOrg: LIFTED };
