/**
 * A fuzzy name index for sanctions screening. Scanning ~30,000 names and
 * aliases with Jaro-Winkler per payment would cost tens of milliseconds, so
 * names are blocked by token: each distinct token is filed under three
 * two-letter keys (letters 1+2, 1+3 and 2+3, so a typo in any one of the first
 * three letters still finds it). A query compares its tokens only with the
 * tokens of its blocks, then scores, through the postings, only the names that
 * hold a close token.
 *
 * Score: each token takes its best Jaro-Winkler partner on the other side
 * (partners under 0.8 count as 0), averaged over both names weighted by token
 * length. Word order does not matter ("MADURO MOROS, Nicolas" = "Nicolas
 * Maduro Moros"), and a short query does not match a long name by being part
 * of it ("CUBA" is not "BANCO NACIONAL DE CUBA").
 */
import { jaroWinkler } from "./jaro-winkler.ts";
import { nameTokens } from "./normalize.ts";

export interface IndexedName {
  /** The listed party's id (OFAC ent_num). */
  id: string;
  /** The name as listed. */
  name: string;
}

export interface NameMatch extends IndexedName {
  score: number;
}

const TOKEN_FLOOR = 0.8;
const MAX_QUERY_TOKENS = 12;
const CLOSE_CACHE = 20_000;
/** A query token whose close tokens appear in more names than this is common. */
const COMMON_POSTINGS = 300;

interface Close {
  /** [token id, similarity, ...] */
  list: number[];
  sims: Map<number, number>;
  postings: number;
}

interface Entry extends IndexedName {
  tokens: number[];
  weight: number;
}

export class NameIndex {
  readonly #entries: Entry[] = [];
  readonly #tokenIds = new Map<string, number>();
  readonly #tokens: string[] = [];
  readonly #masks: number[] = [];
  readonly #postings: number[][] = [];
  readonly #blocks = new Map<string, number[]>();
  // Per-query scratch, reset lazily by stamping instead of clearing.
  readonly #closeCache = new Map<string, Close>();
  #stamp = 0;
  #tokStamp = new Uint32Array(0);
  #tokBest = new Float64Array(0);
  #entryStamp = new Uint32Array(0);
  #queryBest = new Float64Array(0);

  constructor(names: Iterable<IndexedName>) {
    for (const n of names) this.#add(n);
    this.#tokStamp = new Uint32Array(this.#tokens.length);
    this.#tokBest = new Float64Array(this.#tokens.length);
    this.#entryStamp = new Uint32Array(this.#entries.length);
    this.#queryBest = new Float64Array(this.#entries.length * MAX_QUERY_TOKENS);
  }

  get size(): number {
    return this.#entries.length;
  }

  /** The best similarity between `text` and any listed name (0 when nothing is close). */
  best(text: string, min = 0): number {
    return this.match(text, min)?.score ?? 0;
  }

  /**
   * The listed name most similar to `text`, or null when none reaches `min`
   * (names that provably cannot reach it are not scored).
   */
  match(text: string, min = 0): NameMatch | null {
    const query = nameTokens(text).slice(0, MAX_QUERY_TOKENS);
    if (query.length === 0) return null;
    const stamp = ++this.#stamp;
    const nq = query.length;
    const qWeight = query.reduce((s, t) => s + t.length, 0);
    const close = query.map((q) => this.#close(q));
    // Names are found through the postings of the query's rarer tokens; very
    // common tokens (AL, MOHAMMAD, BANK) only score the names found that way,
    // unless every token of the query is common.
    let rarest = 0;
    close.forEach((c, i) => c.postings < close[rarest]!.postings && (rarest = i));
    const drives = close.map((c, i) => c.postings <= COMMON_POSTINGS || i === rarest);
    const candidates: number[] = [];
    for (let qi = 0; qi < nq; qi++) {
      const list = close[qi]!.list;
      for (let c = 0; c < list.length; c += 2) {
        const tok = list[c]!;
        const sim = list[c + 1]!;
        if (this.#tokStamp[tok] !== stamp) {
          this.#tokStamp[tok] = stamp;
          this.#tokBest[tok] = sim;
        } else if (sim > this.#tokBest[tok]!) this.#tokBest[tok] = sim;
        if (!drives[qi]) continue;
        const posting = this.#postings[tok]!;
        for (let p = 0; p < posting.length; p++) {
          const e = posting[p]!;
          const base = e * MAX_QUERY_TOKENS;
          if (this.#entryStamp[e] !== stamp) {
            this.#entryStamp[e] = stamp;
            this.#queryBest.fill(0, base, base + nq);
            candidates.push(e);
          }
          if (sim > this.#queryBest[base + qi]!) this.#queryBest[base + qi] = sim;
        }
      }
    }
    let best: NameMatch | null = null;
    for (const e of candidates) {
      const entry = this.#entries[e]!;
      const base = e * MAX_QUERY_TOKENS;
      let sum = 0;
      for (let qi = 0; qi < nq; qi++) {
        if (!drives[qi]) {
          let b = 0;
          for (const tok of entry.tokens) b = Math.max(b, close[qi]!.sims.get(tok) ?? 0);
          this.#queryBest[base + qi] = b;
        }
        sum += this.#queryBest[base + qi]! * query[qi]!.length;
      }
      const total = qWeight + entry.weight;
      // Even if every listed token matched perfectly, could this name reach min?
      if ((sum + entry.weight) / total < min) continue;
      for (const tok of entry.tokens)
        if (this.#tokStamp[tok] === stamp) sum += this.#tokBest[tok]! * this.#tokens[tok]!.length;
      const score = sum / total;
      if (score >= min && (!best || score > best.score)) best = { id: entry.id, name: entry.name, score };
    }
    return best;
  }

  /** Listed tokens close to `q` (cached: names share tokens). */
  #close(q: string): Close {
    const cached = this.#closeCache.get(q);
    if (cached) return cached;
    const list: number[] = [];
    if (q.length <= 2) {
      // Two letters carry too little for fuzzy matching: equal or nothing.
      const id = this.#tokenIds.get(q);
      if (id !== undefined) list.push(id, 1);
    } else {
      const qMask = letterMask(q);
      const seen = new Set<number>();
      for (const key of blockKeys(q)) {
        for (const tok of this.#blocks.get(key) ?? []) {
          const t = this.#tokens[tok]!;
          if (t.length <= 2 || seen.has(tok) || !mayReach(q, qMask, t, this.#masks[tok]!)) continue;
          seen.add(tok);
          const sim = jaroWinkler(q, t);
          if (sim >= TOKEN_FLOOR) list.push(tok, sim);
        }
      }
    }
    const sims = new Map<number, number>();
    let postings = 0;
    for (let c = 0; c < list.length; c += 2) {
      sims.set(list[c]!, list[c + 1]!);
      postings += this.#postings[list[c]!]!.length;
    }
    const out = { list, sims, postings };
    if (this.#closeCache.size >= CLOSE_CACHE) this.#closeCache.delete(this.#closeCache.keys().next().value!);
    this.#closeCache.set(q, out);
    return out;
  }

  #add(n: IndexedName): void {
    const words = nameTokens(n.name);
    if (words.length === 0) return;
    const index = this.#entries.length;
    const tokens = words.map((t) => this.#token(t));
    this.#entries.push({ ...n, tokens, weight: words.reduce((s, t) => s + t.length, 0) });
    for (const id of tokens) this.#postings[id]!.push(index);
  }

  #token(t: string): number {
    let id = this.#tokenIds.get(t);
    if (id !== undefined) return id;
    id = this.#tokens.length;
    this.#tokenIds.set(t, id);
    this.#tokens.push(t);
    this.#masks.push(letterMask(t));
    this.#postings.push([]);
    for (const key of blockKeys(t)) {
      const block = this.#blocks.get(key);
      if (block) block.push(id);
      else this.#blocks.set(key, [id]);
    }
    return id;
  }
}

/** Which of 32 character classes (A-Z, digits folded) a token uses. */
function letterMask(t: string): number {
  let m = 0;
  for (let i = 0; i < t.length; i++) m |= 1 << (t.charCodeAt(i) & 31);
  return m;
}

/**
 * A necessary condition for Jaro-Winkler >= 0.8, far cheaper than computing
 * it: JW >= 0.8 needs Jaro >= 2/3, hence m/|a| + m/|b| >= 1 for m matching
 * characters, and m cannot exceed the characters of either token whose class
 * the other token uses at all.
 */
function mayReach(a: string, aMask: number, b: string, bMask: number): boolean {
  let ma = 0;
  for (let i = 0; i < a.length; i++) if (bMask & (1 << (a.charCodeAt(i) & 31))) ma++;
  let mb = 0;
  for (let i = 0; i < b.length; i++) if (aMask & (1 << (b.charCodeAt(i) & 31))) mb++;
  const m = ma < mb ? ma : mb;
  return m * (a.length + b.length) >= a.length * b.length;
}

function blockKeys(t: string): string[] {
  if (t.length < 3) return [t];
  const keys = [t[0]! + t[1]!, t[0]! + t[2]!, t[1]! + t[2]!];
  return keys[1] === keys[0] ? [keys[0]!, keys[2]!] : keys;
}
