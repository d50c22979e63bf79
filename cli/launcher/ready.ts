/** Waiting for a launched network to answer `GET /ready`. */

/** Polls `GET /ready`; resolves undefined once ready, or why not (a part failed, or the time ran out). */
export async function waitReady(
  url: string,
  timeoutMs: number,
  failed: () => string | undefined,
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const why = failed();
    if (why) return why;
    const ok = await fetch(`${url}/ready`).then(
      (r) => r.ok,
      () => false, // not listening yet
    );
    if (ok) return undefined;
    await new Promise((r) => setTimeout(r, 200));
  }
  return failed() ?? `not ready after ${Math.round(timeoutMs / 1000)} s`;
}
