/**
 * Groups work that arrives close together into one call (one SQL statement,
 * one transaction) instead of one round trip per item. Items wait at most
 * until the next turn of the event loop, or until `maxBatch` have gathered.
 *
 * When a batch fails, each of its items is tried again alone, so one bad item
 * (one tenant's) fails only its own caller. `run` must therefore be all or
 * nothing (one statement, or one transaction), as every caller's is.
 */
interface Queued<T, R> {
  item: T;
  resolve: (r: R) => void;
  reject: (e: unknown) => void;
}

export class Batcher<T, R> {
  readonly #run: (items: T[]) => Promise<R[]>;
  readonly #maxBatch: number;
  #queue: Queued<T, R>[] = [];
  #scheduled = false;
  #inFlight = 0;
  readonly #maxInFlight: number;

  constructor(run: (items: T[]) => Promise<R[]>, opts: { maxBatch?: number; maxInFlight?: number } = {}) {
    this.#run = run;
    this.#maxBatch = opts.maxBatch ?? 500;
    this.#maxInFlight = opts.maxInFlight ?? 1;
  }

  push(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.#maxInFlight || this.#queue.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    if (this.#inFlight >= this.#maxInFlight || this.#queue.length === 0) return;
    const batch = this.#queue.splice(0, this.#maxBatch);
    this.#inFlight++;
    try {
      const results = await this.#run(batch.map((b) => b.item));
      batch.forEach((b, i) => b.resolve(results[i] as R));
    } catch (e) {
      if (batch.length === 1) batch[0]!.reject(e);
      else await this.#oneByOne(batch);
    } finally {
      this.#inFlight--;
      this.#schedule();
    }
  }

  async #oneByOne(batch: Queued<T, R>[]): Promise<void> {
    for (const b of batch) {
      try {
        const [result] = await this.#run([b.item]);
        b.resolve(result as R);
      } catch (e) {
        b.reject(e);
      }
    }
  }
}
