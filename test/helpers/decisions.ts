/** A quorum decision built from signed verdicts, for tests of log checks outside protocol/. */
export { decisionOf } from "../../protocol/log/decision.fixture.ts";
