import type { types } from 'mediasoup';

/** How long one reading of a producer's layer rates serves every subscriber asking for it. */
const TTL_MS = 1000;

const readings = new WeakMap<types.Producer, { at: number; rates: Promise<number[] | null> }>();

/**
 * What each simulcast layer (encoding, lowest first) of a producer carries now, bits per second
 * over all its temporal layers; 0 for a layer not flowing. One worker request per producer per
 * second however many subscribers' layer policies ask (a webinar has hundreds of them).
 * null for a producer that is not simulcast or is gone.
 */
export function layerBitrates(producer: types.Producer): Promise<number[] | null> {
  const now = Date.now();
  const cached = readings.get(producer);
  if (cached && now - cached.at < TTL_MS) return cached.rates;
  const rates = read(producer);
  readings.set(producer, { at: now, rates });
  return rates;
}

async function read(producer: types.Producer): Promise<number[] | null> {
  const encodings = producer.rtpParameters.encodings ?? [];
  if (producer.closed || producer.type !== 'simulcast' || encodings.length < 2) return null;
  let stats: types.ProducerStat[];
  try {
    stats = await producer.getStats();
  } catch {
    return null; // closed meanwhile
  }
  return encodings.map((e, i) => {
    const s = stats.find((st) => (e.rid !== undefined ? st.rid === e.rid : st.ssrc === e.ssrc)) ?? (e.rid === undefined && e.ssrc === undefined ? stats[i] : undefined);
    return s?.bitrate ?? 0;
  });
}
