/**
 * The HTTP transport to a C2SP tlog-witness: `POST <url>/add-checkpoint` with
 * the request text; the status, Content-Type and body come back as the
 * witness said them. The answer is read up to a limit: a witness that sends
 * more is answering nonsense.
 */
import { ADD_CHECKPOINT_PATH, type WitnessReply } from "../../protocol/index.ts";

const MAX_ANSWER = 64 * 1024;

export function addCheckpointUrl(url: string): string {
  return url.replace(/\/+$/, "") + ADD_CHECKPOINT_PATH;
}

export async function postAddCheckpoint(url: string, request: string, timeoutMs: number): Promise<WitnessReply> {
  const res = await fetch(addCheckpointUrl(url), {
    method: "POST",
    body: request,
    headers: { "content-type": "text/plain; charset=utf-8" },
    signal: AbortSignal.timeout(timeoutMs),
    redirect: "error",
  });
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (res.body) {
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > MAX_ANSWER) {
        await res.body.cancel().catch(() => {});
        throw new Error(`the witness answered more than ${MAX_ANSWER} bytes`);
      }
      chunks.push(chunk);
    }
  }
  return {
    status: res.status,
    content_type: res.headers.get("content-type") ?? "",
    body: Buffer.concat(chunks).toString("utf8"),
  };
}
