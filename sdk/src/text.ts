/** At most `max` UTF-16 units of `s`, never cutting a code point in two (the network refuses lone surrogates). */
export function cutText(s: string, max: number): string {
  if (s.length <= max) return s;
  const last = s.charCodeAt(max - 1);
  return last >= 0xd800 && last <= 0xdbff ? s.slice(0, max - 1) : s.slice(0, max);
}
