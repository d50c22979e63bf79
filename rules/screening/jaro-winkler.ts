/**
 * Jaro-Winkler similarity (Winkler 1990), written for the screening hot path:
 * no allocation per call. Strings of up to 32 characters keep their match
 * flags in two integers; longer ones fall back to reused byte buffers.
 * 1 means equal, 0 nothing in common.
 */
let flagsA = new Uint8Array(64);
let flagsB = new Uint8Array(64);

export function jaro(a: string, b: string): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  if (la > 32 || lb > 32) return jaroLong(a, b);
  const range = Math.max(0, (Math.max(la, lb) >> 1) - 1);
  let fa = 0;
  let fb = 0;
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const c = a.charCodeAt(i);
    const hi = Math.min(i + range + 1, lb);
    for (let j = i > range ? i - range : 0; j < hi; j++) {
      const bit = 1 << j;
      if ((fb & bit) === 0 && b.charCodeAt(j) === c) {
        fa |= 1 << i;
        fb |= bit;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let half = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if ((fa & (1 << i)) === 0) continue;
    while ((fb & (1 << k)) === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) half++;
    k++;
  }
  return (matches / la + matches / lb + (matches - half / 2) / matches) / 3;
}

function jaroLong(a: string, b: string): number {
  const la = a.length;
  const lb = b.length;
  if (la > flagsA.length) flagsA = new Uint8Array(la * 2);
  if (lb > flagsB.length) flagsB = new Uint8Array(lb * 2);
  flagsA.fill(0, 0, la);
  flagsB.fill(0, 0, lb);
  const range = Math.max(0, (Math.max(la, lb) >> 1) - 1);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const c = a.charCodeAt(i);
    const hi = Math.min(i + range + 1, lb);
    for (let j = Math.max(0, i - range); j < hi; j++) {
      if (flagsB[j] === 0 && b.charCodeAt(j) === c) {
        flagsA[i] = 1;
        flagsB[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let half = 0;
  let k = 0;
  for (let i = 0; i < la; i++) {
    if (flagsA[i] === 0) continue;
    while (flagsB[k] === 0) k++;
    if (a.charCodeAt(i) !== b.charCodeAt(k)) half++;
    k++;
  }
  return (matches / la + matches / lb + (matches - half / 2) / matches) / 3;
}

/** Jaro similarity boosted for a common prefix of up to 4 characters (scale 0.1, above 0.7). */
export function jaroWinkler(a: string, b: string): number {
  const j = jaro(a, b);
  if (j <= 0.7) return j;
  const max = Math.min(4, a.length, b.length);
  let prefix = 0;
  while (prefix < max && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return j + prefix * 0.1 * (1 - j);
}
