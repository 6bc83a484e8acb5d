import { ClientMetricReport } from './clientMetricReport.js';

/** Cumulative counters read from getStats once per interval. */
export interface StatsSample {
  timestampMs: number;
  /** Camera outbound-rtp, summed over simulcast layers; null when no camera is sent. */
  video: { bytesSent: number; packetsSent: number } | null;
  /** The browser's estimate of the uplink (selected candidate pair). */
  availableSendBitrate: number | null;
  /** The server's estimate of what it can send to us. */
  availableReceiveBitrate: number | null;
  roundTripTimeMs: number | null;
  /** Received audio per sending attendee. */
  audio: Map<string, { packetsReceived: number; packetsLost: number }>;
  /** The browser's raw statistics this sample was read from. */
  raw?: RTCStatsReport;
}

export interface ConnectionMonitorListener {
  sendHealth(bitrateKbps: number, packetsPerSecond: number): void;
  sendBandwidth(newKbps: number, oldKbps: number): void;
  receiveBandwidth(newKbps: number, oldKbps: number): void;
  poor(videoSending: boolean): void;
  good(): void;
  signalStrength(attendeeId: string, strength: number): void;
  metrics(report: ClientMetricReport): void;
}

/** Loss above this in a sample makes it a bad sample. */
const POOR_LOSS = 0.05;
/** This many bad samples among the last WINDOW make the connection poor. */
const POOR_SAMPLES = 3;
const WINDOW = 5;
const POOR_RTT_MS = 800;
/** A bandwidth estimate must move this much before observers hear of it. */
const BANDWIDTH_STEP = 0.1;

/**
 * Turns getStats samples into Chime's monitoring callbacks: send health, bandwidth changes,
 * poor/good connection and per-attendee signal strength. Pure: fed samples, it reports.
 */
export class ConnectionMonitor {
  readonly #listener: ConnectionMonitorListener;
  #previous: StatsSample | null = null;
  #recent: boolean[] = [];
  #poor = false;
  #sendKbps = 0;
  #receiveKbps = 0;
  readonly #strength = new Map<string, number>();

  constructor(listener: ConnectionMonitorListener) {
    this.#listener = listener;
  }

  get poor(): boolean {
    return this.#poor;
  }

  handleSample(sample: StatsSample): void {
    const prev = this.#previous;
    this.#previous = sample;
    if (!prev) return;
    const seconds = (sample.timestampMs - prev.timestampMs) / 1000;
    if (seconds <= 0) return;

    let videoKbps = 0;
    let videoPps = 0;
    if (sample.video && prev.video) {
      videoKbps = Math.max(0, ((sample.video.bytesSent - prev.video.bytesSent) * 8) / 1000 / seconds);
      videoPps = Math.max(0, (sample.video.packetsSent - prev.video.packetsSent) / seconds);
      this.#listener.sendHealth(Math.round(videoKbps), Math.round(videoPps));
    }
    this.#sendKbps = this.#bandwidth(sample.availableSendBitrate, this.#sendKbps, (n, o) => this.#listener.sendBandwidth(n, o));
    this.#receiveKbps = this.#bandwidth(sample.availableReceiveBitrate, this.#receiveKbps, (n, o) => this.#listener.receiveBandwidth(n, o));

    let received = 0;
    let lost = 0;
    for (const [attendeeId, now] of sample.audio) {
      const before = prev.audio.get(attendeeId);
      if (!before) continue;
      const r = now.packetsReceived - before.packetsReceived;
      const l = Math.max(0, now.packetsLost - before.packetsLost);
      received += r;
      lost += l;
      this.#setStrength(attendeeId, strengthOf(r, l));
    }
    const loss = received + lost > 0 ? lost / (received + lost) : 0;
    const rttBad = sample.roundTripTimeMs !== null && sample.roundTripTimeMs > POOR_RTT_MS;
    this.#recent.push(loss > POOR_LOSS || rttBad);
    if (this.#recent.length > WINDOW) this.#recent.shift();
    const bad = this.#recent.filter(Boolean).length;
    if (!this.#poor && bad >= POOR_SAMPLES) {
      this.#poor = true;
      this.#listener.poor(sample.video !== null);
    } else if (this.#poor && this.#recent.length === WINDOW && bad === 0) {
      this.#poor = false;
      this.#listener.good();
    }
    this.#listener.metrics(new ClientMetricReport({
      timestampMs: sample.timestampMs,
      audioPacketLossPercent: loss,
      videoSendBitrateKbps: Math.round(videoKbps),
      videoSendPacketsPerSecond: Math.round(videoPps),
      availableSendBandwidthKbps: sample.availableSendBitrate === null ? null : Math.round(sample.availableSendBitrate / 1000),
      availableReceiveBandwidthKbps: sample.availableReceiveBitrate === null ? null : Math.round(sample.availableReceiveBitrate / 1000),
      roundTripTimeMs: sample.roundTripTimeMs,
    }, sample.raw));
  }

  reset(): void {
    this.#previous = null;
    this.#recent = [];
  }

  #bandwidth(bps: number | null, oldKbps: number, report: (newKbps: number, oldKbps: number) => void): number {
    if (bps === null) return oldKbps;
    const kbps = Math.round(bps / 1000);
    if (oldKbps !== 0 && Math.abs(kbps - oldKbps) < oldKbps * BANDWIDTH_STEP) return oldKbps;
    if (kbps === oldKbps) return oldKbps;
    report(kbps, oldKbps);
    return kbps;
  }

  #setStrength(attendeeId: string, strength: number | null): void {
    if (strength === null || this.#strength.get(attendeeId) === strength) return;
    this.#strength.set(attendeeId, strength);
    this.#listener.signalStrength(attendeeId, strength);
  }
}

/**
 * 1 = strong, 0.5 = weak (over 5% lost), 0 = no signal (over half lost). A muted sender sends
 * nothing at all: that says nothing about the signal, so it keeps its last value (null).
 */
function strengthOf(received: number, lost: number): number | null {
  if (received + lost === 0) return null;
  const loss = lost / (received + lost);
  if (loss > 0.5) return 0;
  return loss > POOR_LOSS ? 0.5 : 1;
}
