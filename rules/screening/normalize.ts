/** Names as screening compares them: upper case, no accents or punctuation, noise words dropped. */

// Legal forms and connectives that make unrelated names look alike.
const NOISE = new Set([
  "THE",
  "OF",
  "AND",
  "FOR",
  "CO",
  "COMPANY",
  "LTD",
  "LIMITED",
  "LLC",
  "INC",
  "CORP",
  "CORPORATION",
  "SA",
  "AG",
  "GMBH",
  "PLC",
  "JSC",
  "OJSC",
  "CJSC",
  "PJSC",
  "LLP",
  "FZE",
  "FZCO",
  "SRL",
  "BV",
  "NV",
  "SPA",
  "SAS",
  "DE",
  "DEL",
  "LA",
  "EL",
]);

export function normalizeName(text: string): string {
  return text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, " ")
    .trim();
}

/** Distinct meaningful tokens (at least 2 characters, not noise), in order of first appearance. */
export function nameTokens(text: string): string[] {
  const out: string[] = [];
  for (const t of normalizeName(text).split(" ")) {
    if (t.length < 2 || NOISE.has(t) || out.includes(t)) continue;
    out.push(t);
  }
  return out;
}
