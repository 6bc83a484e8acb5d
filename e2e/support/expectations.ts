import { expect } from 'vitest';

/** Polls `probe` until it returns a value, or fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * The decoded colour points the same way as the sent one. Video codecs and YUV range conversion
 * change brightness (sent green 192 decodes as ~241), not hue, so compare direction (cosine
 * similarity of the RGB vectors) and require the frame not to be dark.
 */
export function expectColour(got: { r: number; g: number; b: number } | null, want: [number, number, number], label: string): void {
  expect(got, label).not.toBeNull();
  const g = [got!.r, got!.g, got!.b];
  const dot = g.reduce((n, v, i) => n + v * want[i]!, 0);
  const cos = dot / (Math.hypot(...g) * Math.hypot(...want) || 1);
  expect(cos, `${label}: got rgb(${g.join(',')}), want rgb(${want.join(',')})`).toBeGreaterThan(0.97);
  expect(Math.max(...g), `${label}: frame is dark`).toBeGreaterThan(100);
}
