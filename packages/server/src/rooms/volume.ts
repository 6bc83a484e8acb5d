/**
 * Maps a mediasoup audio level (dBov, -127 silent .. 0 loudest) to Chime's 0..1 volume.
 * Linear in dB from -80 dBov (the observer's threshold) to -10 dBov, where speech peaks.
 */
export function dBovToVolume(dBov: number): number {
  const FLOOR = -80;
  const CEILING = -10;
  if (dBov <= FLOOR) return 0;
  if (dBov >= CEILING) return 1;
  return Math.round(((dBov - FLOOR) / (CEILING - FLOOR)) * 100) / 100;
}
