import { defineConfig } from "vitest/config";

const ignored = ["node_modules/**", ".sentineliq/**", "sdk/node_modules/**"];

/**
 * End-to-end and integration tests: they need NATS JetStream, PostgreSQL (or PGlite under a real store),
 * LiteSVM or whole processes. A new one goes in `test/` as `*.e2e.test.ts`. Of those beside the code, three
 * run one compliance suite against the real JetStream bus and the in-memory one, one drives every route of
 * a real network through inject(), and one runs the CLI on the AMLSim data sets (about 40 s each under
 * load). `test/projects.test.ts` fails when a test outside this list starts a network or a bus.
 */
export const e2e = [
  "test/**/*.e2e.test.ts",
  "test/settlement.*.test.ts",
  "lib/bus/bus.test.ts",
  "lib/bus/kv.test.ts",
  "lib/bus/quarantine.test.ts",
  "coordinator/store/payments.test.ts",
  "coordinator/analytics/dashboard.test.ts",
  "coordinator/accounts/org-admin.test.ts",
  "node/audit-cache.test.ts",
  "cli/rules/amlsim.test.ts",
  "coordinator/api/routes.inject.test.ts",
];

export default defineConfig({
  test: {
    // Shared by both projects: two cores shared by everyone, and property tests that take seconds under load.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        // Pure and fast: functions, Fastify inject, the memory bus, an in-process HTTP server at most.
        test: { name: "unit", include: ["**/*.test.ts"], exclude: [...ignored, ...e2e] },
      },
      { extends: true, test: { name: "e2e", include: e2e, exclude: ignored } },
    ],
  },
});
