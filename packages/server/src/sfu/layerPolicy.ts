import type { types } from 'mediasoup';
import { TypedEmitter, type MediaSource } from '@parley/protocol';

/** One spatial layer of a simulcast video, as the publisher encodes it. */
export interface LayerSpec {
  width: number;
  height: number;
  /** Its bitrate ceiling, bits per second. */
  bitrate: number;
}

/** What the decision needs to know about one consumer of a subscriber. */
export interface ConsumerDemand {
  id: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  /** Forwarded now (neither the subscriber nor the publisher paused it). */
  active: boolean;
  /** Spatial layers, lowest first; one entry (or none) for a single-layer video. */
  layers: LayerSpec[];
  temporalLayers: number;
  /** The size (device pixels) the subscriber renders it at, when it told us. */
  viewport: { width: number; height: number } | null;
  /** A cap the subscriber set itself. */
  maxSpatialLayer: number | null;
  /** The layer the estimate covered at the last decision (hysteresis); null/absent when new. */
  current?: number | null;
}

export interface LayerChoice {
  /** The preferred layer given to the worker: one above fitsLayer at most, never above what the tile needs. */
  spatialLayer: number;
  /** The highest layer the estimate covers for this consumer in the sharing. */
  fitsLayer: number;
  temporalLayer: number;
  /** mediasoup consumer priority (1..255): the worker gives bandwidth to higher ones first. */
  priority: number;
}

/** Audio is served before any video: what one audio consumer may need (Opus with FEC, headers). */
export const AUDIO_RESERVE_BPS = 64_000;
/**
 * Hysteresis: a layer a video already has is kept while the budget covers this share of what it
 * costs above the layer below; a new higher layer needs all of it. Without the band, an estimate
 * hovering at a layer's cost switched it up and down every few seconds, and every switch waits
 * for a keyframe that a tight link may drop (a stall). Below the full cost the worker thins the
 * frame rate of the layer it keeps instead.
 */
export const HOLD_FRACTION = 0.7;
/** A layer this close to the rendered size is sharp enough (avoids jumping a layer for a few pixels). */
const VIEWPORT_SLACK = 0.9;

export const PRIORITY = { audio: 255, screen: 200, camera: 100 } as const;

function priorityOf(d: ConsumerDemand): number {
  if (d.kind === 'audio') return PRIORITY.audio;
  return d.source === 'screen' ? PRIORITY.screen : PRIORITY.camera;
}

/** The smallest layer that covers the rendered size (the top one when none does or no size is known). */
export function layerForViewport(layers: LayerSpec[], viewport: { width: number; height: number } | null): number {
  const top = Math.max(0, layers.length - 1);
  if (!viewport) return top;
  for (let i = 0; i < layers.length; i++) {
    const l = layers[i]!;
    if (l.width >= viewport.width * VIEWPORT_SLACK && l.height >= viewport.height * VIEWPORT_SLACK) return i;
  }
  return top;
}

/** The layer a video's render size asks for, capped by the subscriber's own maxSpatialLayer. */
export function wantedLayer(d: Pick<ConsumerDemand, 'layers' | 'viewport' | 'maxSpatialLayer'>): number {
  const top = Math.max(0, d.layers.length - 1);
  const cap = d.maxSpatialLayer === null ? top : Math.max(0, Math.min(d.maxSpatialLayer, top));
  return Math.min(cap, layerForViewport(d.layers, d.viewport));
}

/**
 * The layer policy: for each of one subscriber's consumers, the spatial/temporal layer to prefer.
 * Each video wants the smallest layer covering its rendered size (capped by maxSpatialLayer); the
 * subscriber's bandwidth estimate, less a reserve for every audio consumer, is then shared among
 * its videos: all start at the lowest layer, and are raised one layer at a time while the estimate
 * allows, screens (up to what they want) before cameras, larger tiles before smaller ones. Each
 * video keeps a layer it has while the budget covers HOLD_FRACTION of its step, and takes a higher
 * one only when `heldBitrate` (the estimate's recent low) covers all of it (hysteresis). It
 * prefers what fits; while `probe` is set, one layer above it (the estimate only grows with
 * what is sent, so this is how it climbs back). The worker's own allocator, told the priorities,
 * forwards no more than its live estimate covers and thins frame rate below the lowest layer (no
 * freeze). Audio is never reduced or paused. Pure: same inputs, same answer.
 */
export function chooseLayers(
  consumers: readonly ConsumerDemand[],
  availableBitrate: number | null,
  { probe = true, heldBitrate = availableBitrate }: { probe?: boolean; heldBitrate?: number | null } = {},
): Map<string, LayerChoice> {
  const out = new Map<string, LayerChoice>();
  let budget = availableBitrate ?? Number.POSITIVE_INFINITY;
  // A layer above what a video has must fit the estimate it held for a while, not a momentary peak.
  let raiseBudget = Math.min(budget, heldBitrate ?? Number.POSITIVE_INFINITY);
  for (const d of consumers) {
    const priority = priorityOf(d);
    const topTemporal = Math.max(0, d.temporalLayers - 1);
    const top = Math.max(0, d.layers.length - 1);
    out.set(d.id, { spatialLayer: top, fitsLayer: top, temporalLayer: topTemporal, priority });
    if (d.kind === 'audio' && d.active) {
      budget -= AUDIO_RESERVE_BPS;
      raiseBudget -= AUDIO_RESERVE_BPS;
    }
  }
  const videos = consumers
    .filter((d) => d.kind === 'video' && d.active && d.layers.length > 0)
    .map((d) => ({ d, wanted: wantedLayer(d), choice: out.get(d.id)! }))
    .sort((a, b) => b.choice.priority - a.choice.priority || area(b.d.layers[b.wanted]!) - area(a.d.layers[a.wanted]!) || (a.d.id < b.d.id ? -1 : 1));
  // Everyone starts at the lowest layer (never less: mediasoup thins frame rate below that itself).
  let used = 0;
  for (const v of videos) {
    v.choice.spatialLayer = 0;
    v.choice.fitsLayer = 0;
    used += v.d.layers[0]!.bitrate;
  }
  // Raise one layer at a time while the budget allows: a higher priority (screens) gets all it
  // wants before a lower one (cameras) is raised; within one priority, larger tiles go first.
  for (const tier of [...new Set(videos.map((v) => v.choice.priority))]) {
    const members = videos.filter((v) => v.choice.priority === tier);
    for (let raised = true; raised; ) {
      raised = false;
      for (const v of members) {
        const s = v.choice.fitsLayer;
        if (s >= v.wanted) continue;
        const step = Math.max(0, v.d.layers[s + 1]!.bitrate - v.d.layers[s]!.bitrate);
        const keeping = v.d.current != null && s + 1 <= v.d.current;
        const extra = keeping ? step * HOLD_FRACTION : step;
        if (used + extra > (keeping ? budget : raiseBudget)) continue;
        v.choice.fitsLayer = s + 1;
        used += extra;
        raised = true;
      }
    }
  }
  // Probing: prefer one layer above what fits. The worker forwards it once its own estimate covers
  // it; wanting it makes the estimate probe upward. Not probing: exactly what fits, so a tight
  // link is not hit by the higher layer's keyframes again and again.
  for (const v of videos) v.choice.spatialLayer = probe ? Math.min(v.wanted, v.choice.fitsLayer + 1) : v.choice.fitsLayer;
  return out;
}

function area(l: LayerSpec): number {
  return l.width * l.height;
}

/**
 * Nothing for the policy to watch closely: every active layered video fits the layer its tile
 * wants, and the estimate (when there is one) covers audio and those layers with RELAXED_HEADROOM.
 */
export function isRelaxed(demands: readonly ConsumerDemand[], choices: ReadonlyMap<string, LayerChoice>, availableBitrate: number | null): boolean {
  let need = 0;
  for (const d of demands) {
    if (!d.active) continue;
    if (d.kind === 'audio') {
      need += AUDIO_RESERVE_BPS;
      continue;
    }
    if (d.layers.length === 0) continue;
    const c = choices.get(d.id);
    const wanted = wantedLayer(d);
    if (d.layers.length > 1 && (!c || c.fitsLayer < wanted)) return false;
    need += d.layers[Math.min(wanted, d.layers.length - 1)]!.bitrate;
  }
  return availableBitrate === null || availableBitrate >= need * RELAXED_HEADROOM;
}

/** Nominal size of a camera whose publisher did not say. */
const DEFAULT_TOP = { width: 1280, height: 720 };

/**
 * The spatial layers of a producer, from its RTP encodings (scaleResolutionDownBy, maxBitrate) and
 * the top size its publisher reported; missing figures get the usual simulcast defaults.
 */
export function layersOf(producer: { rtpParameters: types.RtpParameters; appData: Record<string, unknown> }): LayerSpec[] {
  const encodings = producer.rtpParameters.encodings ?? [];
  const n = encodings.length;
  const w = typeof producer.appData.width === 'number' ? producer.appData.width : DEFAULT_TOP.width;
  const h = typeof producer.appData.height === 'number' ? producer.appData.height : DEFAULT_TOP.height;
  return encodings.map((e, i) => {
    const scale = typeof e.scaleResolutionDownBy === 'number' && e.scaleResolutionDownBy >= 1 ? e.scaleResolutionDownBy : 2 ** (n - 1 - i);
    const width = Math.round(w / scale);
    const height = Math.round(h / scale);
    // Without a ceiling, ~2.5 bits per pixel-frame-second-ish figure: 0.1 bit per pixel at 30 fps.
    const bitrate = typeof e.maxBitrate === 'number' && e.maxBitrate > 0 ? e.maxBitrate : Math.round(width * height * 30 * 0.1);
    return { width, height, bitrate };
  });
}

/** Temporal layers in a consumer's scalabilityMode ("L3T3" -> 3); 1 when absent. */
export function temporalLayersOf(consumer: { rtpParameters: types.RtpParameters }): number {
  const mode = consumer.rtpParameters.encodings?.[0]?.scalabilityMode ?? '';
  const m = /T(\d+)/.exec(mode);
  return m ? Math.max(1, Number(m[1])) : 1;
}

export type LayerPolicyEvents = {
  /** A decision was applied to a consumer (for logs and tests). */
  applied: [consumerId: string, choice: LayerChoice];
  /** The layer a consumer's render size (or cap) asks for changed: the publisher's demand may change. */
  wanted: [consumerId: string, layer: number | null];
};

interface Tracked {
  consumer: types.Consumer;
  producer: types.Producer;
  source: MediaSource;
  /** Nominal layers (from the encodings); `measured` replaces their bitrates when known. */
  layers: LayerSpec[];
  /** What each layer really carries now (bits per second, all temporal layers), 0 when not flowing. */
  measured: number[] | null;
  temporalLayers: number;
  viewport: { width: number; height: number } | null;
  maxSpatialLayer: number | null;
  applied: LayerChoice | null;
}

export interface LayerPolicyDeps {
  /** The bandwidth estimate toward the subscriber (its recv transport's availableOutgoingBitrate). */
  availableBitrate: () => Promise<number | null>;
  /** What each simulcast layer of a producer carries now, lowest first (producer.getStats()); null when unknown. */
  layerBitrates: (producer: types.Producer) => Promise<number[] | null>;
  onError: (err: unknown) => void;
}

/**
 * A layer's cost for the decision: what it carries now when it flows (content decides: a still
 * picture costs a fraction of the encoder's ceiling), else its nominal ceiling.
 */
export function pricedLayers(layers: readonly LayerSpec[], measured: readonly number[] | null): LayerSpec[] {
  return layers.map((l, i) => {
    const m = measured?.[i] ?? 0;
    return m > 0 ? { ...l, bitrate: m } : l;
  });
}

/** How often the estimate is sampled. */
export const LAYER_SAMPLE_INTERVAL_MS = 1500;
/** A higher layer is taken once the estimate has covered it this many samples running (3 s). */
const HELD_SAMPLES = 2;
/**
 * A subscriber whose every video already gets the layer its tile needs, with this much headroom
 * in its estimate (or no estimate at all), is sampled only every RELAXED_EVERY ticks (6 s): the
 * samples are worker requests, and a large webinar has hundreds of such subscribers. The worker's
 * own allocator follows a falling estimate at once in the meantime; a tile resize, a new or
 * closed track still decide at once.
 */
const RELAXED_HEADROOM = 1.3;
const RELAXED_EVERY = 4;

/**
 * When to probe for a higher layer: after the estimate has held (no drop of more than 10% from one
 * sample to the next) for the wait, 2 samples (3 s) at first. A probe that makes the estimate drop
 * ends at once and doubles the wait (up to 16 samples, 24 s): on a link that cannot carry more,
 * upward tries become rare. A probe that wins a layer ends too (raised()): the next layer up is
 * tried only after the estimate has held on this one for the wait, so an open link climbs a layer
 * every few seconds and a tight one that a probe overshot (GoogCC's estimate runs ahead of a
 * filling queue) is not hit with the layer above at once. A probe the estimate survives without
 * winning a layer goes on, and after twice the wait resets it.
 */
export class ProbeGate {
  static readonly FIRST_WAIT = 2;
  static readonly MAX_WAIT = 16;
  #wait = ProbeGate.FIRST_WAIT;
  #held = 0;
  #last: number | null = null;
  probing = true;

  /** Takes one estimate sample; returns whether probing changed. */
  sample(bps: number | null): boolean {
    const before = this.probing;
    const dropped = bps !== null && this.#last !== null && bps < this.#last * 0.9;
    if (bps !== null) this.#last = bps;
    if (dropped) {
      if (this.probing) this.#wait = Math.min(ProbeGate.MAX_WAIT, this.#wait * 2);
      this.probing = false;
      this.#held = 0;
    } else if (!this.probing && ++this.#held >= this.#wait) {
      this.probing = true;
    } else if (this.probing && ++this.#held >= 2 * this.#wait) {
      this.#wait = ProbeGate.FIRST_WAIT;
    }
    if (this.probing !== before) this.#held = 0;
    return this.probing !== before;
  }

  /** A probe won a layer: stop probing until the estimate has held there for the wait. */
  raised(): void {
    if (!this.probing) return;
    this.probing = false;
    this.#held = 0;
  }
}

/**
 * Applies chooseLayers to one subscriber's consumers: tracks them (handleConsumer), takes the
 * subscriber's render sizes (handlePreferences), samples its bandwidth estimate, and calls
 * setPreferredLayers / setPriority on what changed. mediasoup asks the publisher for a keyframe
 * when a switch needs one. close() is idempotent and stops the sampling.
 */
export class LayerPolicy extends TypedEmitter<LayerPolicyEvents> {
  readonly #deps: LayerPolicyDeps;
  readonly #tracked = new Map<string, Tracked>();
  readonly #probe = new ProbeGate();
  #bitrate: number | null = null;
  /** The last HELD_SAMPLES estimates: a higher layer needs their minimum. */
  #recent: number[] = [];
  /** Every video gets what its tile needs, with headroom: sample less often (see RELAXED_EVERY). */
  #relaxed = false;
  #ticks = 0;
  #timer: ReturnType<typeof setInterval> | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(deps: LayerPolicyDeps) {
    super();
    this.#deps = deps;
  }

  /** The latest estimate used (bits per second), null before the first sample. */
  get availableBitrate(): number | null {
    return this.#bitrate;
  }

  /** The layer last applied to a consumer. */
  choiceOf(consumerId: string): LayerChoice | null {
    return this.#tracked.get(consumerId)?.applied ?? null;
  }

  handleConsumer(consumer: types.Consumer, producer: types.Producer): void {
    if (this.#closed) return;
    const source = (producer.appData.source as MediaSource | undefined) ?? (consumer.kind === 'audio' ? 'microphone' : 'camera');
    this.#tracked.set(consumer.id, {
      consumer,
      producer,
      source,
      layers: consumer.kind === 'video' ? layersOf(producer) : [],
      measured: null,
      temporalLayers: temporalLayersOf(consumer),
      viewport: null,
      maxSpatialLayer: null,
      applied: null,
    });
    consumer.observer.once('close', () => {
      this.#tracked.delete(consumer.id);
      // No layered video left: no estimate to follow, so no more worker requests for it.
      if (![...this.#tracked.values()].some((t) => t.consumer.type === 'simulcast' || t.consumer.type === 'svc')) this.#stopSampling();
    });
    // Re-decide when what is forwarded changes.
    for (const e of ['pause', 'resume'] as const) consumer.observer.on(e, () => this.update());
    consumer.on('producerpause', () => this.update());
    consumer.on('producerresume', () => this.update());
    if (consumer.type === 'simulcast' || consumer.type === 'svc') this.#startSampling();
    this.update();
  }

  /** The subscriber renders the consumer at this size (device pixels), and/or caps its layer. */
  handlePreferences(consumerId: string, prefs: { width?: number; height?: number; maxSpatialLayer?: number }): boolean {
    const t = this.#tracked.get(consumerId);
    if (!t) return false;
    const before = this.wantedLayer(consumerId);
    if (prefs.width !== undefined && prefs.height !== undefined) t.viewport = { width: prefs.width, height: prefs.height };
    if (prefs.maxSpatialLayer !== undefined) t.maxSpatialLayer = prefs.maxSpatialLayer;
    this.update();
    const after = this.wantedLayer(consumerId);
    if (after !== before) this.emit('wanted', consumerId, after);
    return true;
  }

  /**
   * The layer this subscriber wants of a layered video, from its render size and cap alone (not
   * its bandwidth); null when it has not said yet (or the video is not simulcast).
   */
  wantedLayer(consumerId: string): number | null {
    const t = this.#tracked.get(consumerId);
    if (!t || t.layers.length < 2 || (t.viewport === null && t.maxSpatialLayer === null)) return null;
    return wantedLayer(t);
  }

  /** Decides and applies now (coalesced: one pass at a time, one more if asked meanwhile). */
  update(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#apply()
      .catch((err: unknown) => this.#deps.onError(err))
      .finally(() => {
        this.#running = undefined;
        if (this.#again) {
          this.#again = false;
          this.update();
        }
      });
  }

  /** Waits for the pass in progress (tests). */
  async settled(): Promise<void> {
    while (this.#running) await this.#running;
  }

  async #apply(): Promise<void> {
    const demands: ConsumerDemand[] = [...this.#tracked.values()].map((t) => ({
      id: t.consumer.id,
      kind: t.consumer.kind,
      source: t.source,
      active: !t.consumer.closed && !t.consumer.paused && !t.consumer.producerPaused,
      layers: pricedLayers(t.layers, t.measured),
      temporalLayers: t.temporalLayers,
      viewport: t.viewport,
      maxSpatialLayer: t.maxSpatialLayer,
      current: t.applied?.fitsLayer ?? null,
    }));
    const held = this.#recent.length > 0 ? Math.min(...this.#recent) : this.#bitrate;
    let choices = chooseLayers(demands, this.#bitrate, { probe: this.#probe.probing, heldBitrate: held });
    const raised = [...choices].some(([id, c]) => {
      const prev = this.#tracked.get(id)?.applied;
      return prev != null && c.fitsLayer > prev.fitsLayer;
    });
    if (raised && this.#probe.probing) {
      this.#probe.raised();
      choices = chooseLayers(demands, this.#bitrate, { probe: false, heldBitrate: held });
    }
    this.#relaxed = isRelaxed(demands, choices, this.#bitrate);
    for (const [id, choice] of choices) {
      const t = this.#tracked.get(id);
      if (!t || t.consumer.closed) continue;
      const prev = t.applied;
      const layered = t.consumer.type === 'simulcast' || t.consumer.type === 'svc';
      try {
        if (!prev || prev.priority !== choice.priority) await t.consumer.setPriority(choice.priority);
        if (layered && (!prev || prev.spatialLayer !== choice.spatialLayer || prev.temporalLayer !== choice.temporalLayer)) {
          await t.consumer.setPreferredLayers({ spatialLayer: choice.spatialLayer, temporalLayer: choice.temporalLayer });
        }
      } catch (err) {
        // A consumer closing under us is not an error.
        if (!t.consumer.closed) throw err;
      }
      if (t.consumer.closed) continue;
      t.applied = choice;
      if (!prev || prev.spatialLayer !== choice.spatialLayer || prev.temporalLayer !== choice.temporalLayer || prev.priority !== choice.priority) {
        this.emit('applied', id, choice);
      }
    }
  }

  #startSampling(): void {
    if (this.#timer || this.#closed) return;
    this.#timer = setInterval(() => {
      if (this.#relaxed && ++this.#ticks % RELAXED_EVERY !== 0) return;
      this.#sample().catch((err: unknown) => this.#deps.onError(err));
    }, LAYER_SAMPLE_INTERVAL_MS);
    this.#timer.unref?.();
  }

  /** One sample: the estimate toward the subscriber and what each layered video's layers carry. */
  async #sample(): Promise<void> {
    const layered = [...this.#tracked.values()].filter((t) => t.layers.length > 1);
    const [bps] = await Promise.all([
      this.#deps.availableBitrate(),
      ...layered.map(async (t) => {
        const rates = await this.#deps.layerBitrates(t.producer);
        // Smoothed: a keyframe doubles a layer's rate for a moment; half of each new sample is enough.
        const prev = t.measured;
        t.measured = rates && rates.length === t.layers.length ? rates.map((r, i) => (prev && prev[i]! > 0 && r > 0 ? (prev[i]! + r) / 2 : r)) : null;
      }),
    ]);
    if (this.#closed) return;
    this.#probe.sample(bps);
    this.#bitrate = bps;
    if (bps !== null) this.#recent = [...this.#recent, bps].slice(-HELD_SAMPLES);
    // Measured layer costs move every sample: decide each time (only real changes reach the worker).
    this.update();
  }

  #stopSampling(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopSampling();
    this.#tracked.clear();
    this.removeAllListeners();
  }
}
