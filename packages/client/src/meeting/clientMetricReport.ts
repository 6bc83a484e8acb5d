/** What one stats sample measured (the fields of Parley's report before it became a class). */
export interface ClientMetricFigures {
  timestampMs: number;
  /** Fraction 0..1 of received audio packets lost in the last interval. */
  audioPacketLossPercent: number;
  videoSendBitrateKbps: number;
  videoSendPacketsPerSecond: number;
  availableSendBandwidthKbps: number | null;
  availableReceiveBandwidthKbps: number | null;
  roundTripTimeMs: number | null;
}

/**
 * One stats sample, as metricsDidReceive hands it over (Chime's ClientMetricReport). Chime 3.x
 * apps read getObservableMetrics() and getRTCStatsReport(); the figures stay readable as fields.
 * Only what Parley measures is in getObservableMetrics (Chime's names and units).
 */
export class ClientMetricReport implements ClientMetricFigures {
  readonly timestampMs: number;
  readonly audioPacketLossPercent: number;
  readonly videoSendBitrateKbps: number;
  readonly videoSendPacketsPerSecond: number;
  readonly availableSendBandwidthKbps: number | null;
  readonly availableReceiveBandwidthKbps: number | null;
  readonly roundTripTimeMs: number | null;
  readonly #stats: RTCStatsReport;

  constructor(figures: ClientMetricFigures, stats: RTCStatsReport = new Map() as unknown as RTCStatsReport) {
    this.timestampMs = figures.timestampMs;
    this.audioPacketLossPercent = figures.audioPacketLossPercent;
    this.videoSendBitrateKbps = figures.videoSendBitrateKbps;
    this.videoSendPacketsPerSecond = figures.videoSendPacketsPerSecond;
    this.availableSendBandwidthKbps = figures.availableSendBandwidthKbps;
    this.availableReceiveBandwidthKbps = figures.availableReceiveBandwidthKbps;
    this.roundTripTimeMs = figures.roundTripTimeMs;
    this.#stats = stats;
  }

  /** Chime's observable metrics that Parley measures: bitrates in bits/s, loss as a fraction and as a percentage. */
  getObservableMetrics(): { [id: string]: number } {
    const metrics: { [id: string]: number } = {
      audioPacketsReceivedFractionLoss: this.audioPacketLossPercent,
      audioPacketLossPercent: this.audioPacketLossPercent * 100,
      videoUpstreamBitrate: this.videoSendBitrateKbps * 1000,
      videoPacketSentPerSecond: this.videoSendPacketsPerSecond,
    };
    if (this.availableSendBandwidthKbps !== null) metrics.availableOutgoingBitrate = this.availableSendBandwidthKbps * 1000;
    if (this.availableReceiveBandwidthKbps !== null) metrics.availableIncomingBitrate = this.availableReceiveBandwidthKbps * 1000;
    if (this.roundTripTimeMs !== null) metrics.currentRoundTripTimeMs = this.roundTripTimeMs;
    return metrics;
  }

  /** Per-stream video metrics keyed by attendee and SSRC: Parley does not break them down yet, so empty. */
  getObservableVideoMetrics(): { [id: string]: { [id: string]: object } } {
    return {};
  }

  /** The browser's raw statistics of this sample (both transports). */
  getRTCStatsReport(): RTCStatsReport {
    return this.#stats;
  }

  clone(): ClientMetricReport {
    return new ClientMetricReport(this, this.#stats);
  }
}
