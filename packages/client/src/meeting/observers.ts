import type { ClientMetricReport } from './clientMetricReport.js';
import type { MeetingSessionStatus } from './meetingSessionStatus.js';
import type { VideoTileState } from './videoTileState.js';

/** Whether this client may start its camera now (Chime's MeetingSessionVideoAvailability). */
export class MeetingSessionVideoAvailability {
  /** True when the meeting has a free camera slot, or this client already sends one. */
  canStartLocalVideo = false;
  /** True when someone in the meeting sends video. */
  remoteVideoAvailable = false;

  equal(other: MeetingSessionVideoAvailability): boolean {
    return this.canStartLocalVideo === other.canStartLocalVideo && this.remoteVideoAvailable === other.remoteVideoAvailable;
  }

  clone(): MeetingSessionVideoAvailability {
    return Object.assign(new MeetingSessionVideoAvailability(), this);
  }
}

/** Session, tile and connection callbacks; implement the ones you need (Chime's AudioVideoObserver). */
export interface AudioVideoObserver {
  audioVideoDidStartConnecting?(reconnecting: boolean): void;
  audioVideoDidStart?(): void;
  audioVideoDidStop?(sessionStatus: MeetingSessionStatus): void;
  videoTileDidUpdate?(tileState: VideoTileState): void;
  videoTileWasRemoved?(tileId: number): void;
  videoAvailabilityDidChange?(availability: MeetingSessionVideoAvailability): void;
  videoSendDidBecomeUnavailable?(): void;
  /** Measured from the browser's outbound-rtp stats every second while the camera sends. */
  videoSendHealthDidChange?(bitrateKbps: number, packetsPerSecond: number): void;
  /** The browser's estimate of the uplink (candidate-pair availableOutgoingBitrate) changed. */
  videoSendBandwidthDidChange?(newBandwidthKbps: number, oldBandwidthKbps: number): void;
  /** The server's estimate of what it can send to this client changed. */
  videoReceiveBandwidthDidChange?(newBandwidthKbps: number, oldBandwidthKbps: number): void;
  connectionDidBecomePoor?(): void;
  connectionDidSuggestStopVideo?(): void;
  connectionDidBecomeGood?(): void;
  /** Each stats sample: the raw reports of both transports. */
  metricsDidReceive?(metrics: ClientMetricReport): void;
  /**
   * Parley extension (Chime has no such callback): the server is shutting down; the meeting goes
   * on until deadlineMs (epoch ms), then stops with MeetingSessionStatusCode.AudioServiceUnavailable.
   */
  parleyServerWillShutDown?(deadlineMs: number, message: string): void;
}

export interface ContentShareObserver {
  contentShareDidStart?(): void;
  contentShareDidStop?(): void;
  contentShareDidPause?(): void;
  contentShareDidUnpause?(): void;
}

export interface DeviceChangeObserver {
  audioInputsChanged?(freshAudioInputDeviceList: MediaDeviceInfo[]): void;
  audioOutputsChanged?(freshAudioOutputDeviceList: MediaDeviceInfo[]): void;
  videoInputsChanged?(freshVideoInputDeviceList: MediaDeviceInfo[]): void;
}

/** Calls `method` on every observer that has it; one throwing observer doesn't stop the rest. */
export function notifyObservers<O extends object, K extends keyof O>(
  observers: Iterable<O>,
  method: K,
  ...args: O[K] extends ((...a: infer A) => unknown) | undefined ? A : never
): void {
  for (const observer of [...observers]) {
    const fn = observer[method];
    if (typeof fn !== 'function') continue;
    try {
      (fn as (...a: unknown[]) => unknown).apply(observer, args);
    } catch (err) {
      console.error(`[parley] observer ${String(method)} threw`, err);
    }
  }
}
