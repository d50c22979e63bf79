/**
 * One sliding window of observations for one key: count, sum and distinct
 * count over (t - width, t]. Observations arrive in about time order; old
 * ones fall off the front as time moves on.
 */
export class Window {
  #times: number[] = [];
  #values: unknown[] = [];
  #head = 0;
  #sum = 0;
  #distinct = new Map<unknown, number>();
  #latest = 0;

  get empty(): boolean {
    return this.#head >= this.#times.length;
  }

  add(time: number, value: unknown, widthMs: number): void {
    let i = this.#times.length;
    // Keep time order (a late observation slides back into place).
    while (i > this.#head && this.#times[i - 1]! > time) i--;
    if (i === this.#times.length) {
      this.#times.push(time);
      this.#values.push(value);
    } else {
      this.#times.splice(i, 0, time);
      this.#values.splice(i, 0, value);
    }
    if (typeof value === "number" && Number.isFinite(value)) this.#sum += value;
    this.#distinct.set(value, (this.#distinct.get(value) ?? 0) + 1);
    if (time > this.#latest) this.#latest = time;
    this.expire(this.#latest - widthMs);
  }

  /** Drops observations at or before `cutoff`. */
  expire(cutoff: number): void {
    while (this.#head < this.#times.length && this.#times[this.#head]! <= cutoff) {
      const v = this.#values[this.#head];
      if (typeof v === "number" && Number.isFinite(v)) this.#sum -= v;
      const n = this.#distinct.get(v)! - 1;
      if (n === 0) this.#distinct.delete(v);
      else this.#distinct.set(v, n);
      this.#values[this.#head] = undefined;
      this.#head++;
    }
    if (this.#head > 1024 && this.#head * 2 > this.#times.length) {
      this.#times = this.#times.slice(this.#head);
      this.#values = this.#values.slice(this.#head);
      this.#head = 0;
    }
  }

  /** The aggregate over (at - width, at]: what is later than `at` (seen out of order) does not count. */
  read(kind: "count" | "sum" | "distinct", at: number, widthMs: number): number {
    const from = at - widthMs;
    const end = this.#times.length;
    if (this.#latest <= at && (this.#head >= end || this.#times[this.#head]! > from)) {
      if (kind === "count") return end - this.#head;
      if (kind === "sum") return round(this.#sum);
      return this.#distinct.size;
    }
    let count = 0;
    let sum = 0;
    const seen = new Set<unknown>();
    for (let i = this.#head; i < end; i++) {
      const t = this.#times[i]!;
      if (t <= from || t > at) continue;
      const v = this.#values[i];
      count++;
      if (typeof v === "number" && Number.isFinite(v)) sum += v;
      seen.add(v);
    }
    return kind === "count" ? count : kind === "sum" ? round(sum) : seen.size;
  }
}

/** Sums of decimal amounts: keep them free of binary noise (0.1 + 0.2). */
function round(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
