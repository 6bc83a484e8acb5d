export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The p-th percentile (nearest rank below) of xs; NaN when empty. */
export function pct(xs: number[], p: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** A number for the report: `-` when it is not one. */
export const f = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : '-');
