/** A delivery's request id: the header's value when it is a well-formed id; anything else is dropped. */
import { isRequestId } from "../../protocol/index.ts";

export function requestIdOf(header: string | undefined): string | undefined {
  return isRequestId(header) ? header : undefined;
}
