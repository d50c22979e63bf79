/** A task whose deadline has passed gets no vote: the coordinator has already decided without it. */
import type { EvaluationTask } from "../protocol/index.ts";

export function isStale(task: EvaluationTask, now: Date): boolean {
  return Date.parse(task.deadline_at) < now.getTime();
}
