/** The challenge loop: issuing a challenge, checking the answer, expiring it. */
export { ChallengeService, type Review } from "./service.ts";
export { ChallengeStore } from "./store.ts";
