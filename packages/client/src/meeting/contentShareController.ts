import { ParleyEngine } from '../engine/parleyEngine.js';
import type { AudioProfile, VideoCodecCapability } from './chimeSettings.js';
import type { Logger } from './logger.js';
import type { MeetingSessionConfiguration } from './meetingSessionConfiguration.js';
import { notifyObservers, type ContentShareObserver } from './observers.js';

/** Screen share sends one sharp layer: text must stay readable, motion matters less. */
const SCREEN_ENCODINGS: RTCRtpEncodingParameters[] = [{ maxBitrate: 1_500_000, maxFramerate: 15 }];
/** Chime's content simulcast defaults: a 1200 kbps top layer and a half-size 300 kbps, 5 fps one. */
const SIMULCAST_LOW: RTCRtpEncodingParameters = { maxBitrate: 300_000, scaleResolutionDownBy: 2, maxFramerate: 5 };
const SIMULCAST_HIGH: RTCRtpEncodingParameters = { maxBitrate: 1_200_000, scaleResolutionDownBy: 1 };

/** Overrides for the two content simulcast layers (Chime's ContentShareSimulcastEncodingParameters). */
export interface ContentShareSimulcastEncodingParameters {
  low?: RTCRtpEncodingParameters;
  high?: RTCRtpEncodingParameters;
}

/**
 * Content share (Chime's ContentShareController): a second connection that joins as the
 * content attendee "<attendeeId>#content" and sends a screen, window or any MediaStream.
 * The server allows two at a time per meeting; a third gets contentShareDidStop.
 */
export class ContentShareController {
  readonly #configuration: MeetingSessionConfiguration;
  readonly #logger: Logger;
  readonly #observers = new Set<ContentShareObserver>();
  #engine: ParleyEngine | null = null;
  #stream: MediaStream | null = null;
  #paused = false;
  #simulcast: RTCRtpEncodingParameters[] | null = null;
  #audioProfile: AudioProfile | null = null;
  #videoCodec: 'VP8' | 'H264' | undefined;

  constructor(configuration: MeetingSessionConfiguration, logger: Logger) {
    this.#configuration = configuration;
    this.#logger = logger;
  }

  addContentShareObserver(observer: ContentShareObserver): void {
    this.#observers.add(observer);
  }

  removeContentShareObserver(observer: ContentShareObserver): void {
    this.#observers.delete(observer);
  }

  /** The content's audio bitrate cap (AudioProfile.audioBitrateBps), from the next share on. */
  setContentAudioProfile(audioProfile: AudioProfile): void {
    this.#audioProfile = audioProfile;
  }

  /** Sends content as two layers (low, high) from the next share on, with Chime's defaults unless overridden. */
  enableSimulcastForContentShare(enable: boolean, encodingParams?: ContentShareSimulcastEncodingParameters): void {
    this.#simulcast = enable
      ? [{ ...SIMULCAST_LOW, ...encodingParams?.low, rid: 'r0' }, { ...SIMULCAST_HIGH, ...encodingParams?.high, rid: 'r1' }]
      : null;
  }

  /** SVC needs VP9, which Parley does not negotiate: content keeps one VP8 layer (Chime: no effect without an SVC codec). */
  enableSVCForContentShare(enable: boolean): void {
    if (enable) this.#logger.warn('enableSVCForContentShare: SVC needs VP9, which this server does not negotiate; ignored');
  }

  /** The first of VP8 / H.264 in the list is used for content from the next share on. */
  setContentShareVideoCodecPreferences(preferences: VideoCodecCapability[]): void {
    const name = preferences.map((p) => p.codecName.toUpperCase()).find((n) => n === 'VP8' || n === 'H264');
    this.#videoCodec = name === 'VP8' || name === 'H264' ? name : undefined;
  }

  get sharing(): boolean {
    return this.#engine !== null;
  }

  /** Shares any MediaStream (a screen, a canvas, a video file's captureStream()). */
  async startContentShare(stream: MediaStream): Promise<void> {
    if (this.#engine) this.#finish(false);
    const video = stream.getVideoTracks()[0];
    const audio = stream.getAudioTracks()[0];
    let engine: ParleyEngine | null = null;
    try {
      engine = await ParleyEngine.join({ ...this.#configuration.connectionDetails(), content: true });
      if (video) {
        if ('contentHint' in video && !video.contentHint) video.contentHint = 'detail';
        const encodings = (this.#simulcast ?? SCREEN_ENCODINGS).map((e) => ({ ...e }));
        await engine.publish(video, 'screen', { encodings, ...(this.#videoCodec ? { videoCodec: this.#videoCodec } : {}) });
      }
      if (audio) {
        await engine.publish(audio, 'screen-audio');
        const bitrate = this.#audioProfile?.audioBitrateBps;
        const sender = engine.producer('screen-audio')?.rtpSender;
        const params = sender?.getParameters();
        if (sender && params?.encodings?.[0] && typeof bitrate === 'number') {
          params.encodings[0].maxBitrate = bitrate;
          await sender.setParameters(params);
        }
      }
    } catch (err) {
      this.#logger.warn(`content share could not start: ${err instanceof Error ? err.message : String(err)}`);
      engine?.close();
      notifyObservers(this.#observers, 'contentShareDidStop');
      return;
    }
    this.#engine = engine;
    this.#stream = stream;
    this.#paused = false;
    const current = engine;
    const lost = () => {
      if (this.#engine === current) this.#finish(true);
    };
    engine.on('ended', lost);
    engine.on('disconnected', lost);
    // The browser's own "Stop sharing" button ends the track.
    video?.addEventListener('ended', lost, { once: true });
    notifyObservers(this.#observers, 'contentShareDidStart');
  }

  /**
   * Asks the browser for a screen or window and shares it. With a sourceId (Electron's
   * DesktopCapturerSource id) no picker is shown. Returns the captured stream.
   */
  async startContentShareFromScreenCapture(sourceId?: string, frameRate = 15): Promise<MediaStream> {
    const stream = sourceId
      ? await navigator.mediaDevices.getUserMedia({
          audio: false,
          video: { mandatory: { chromeMediaSource: 'desktop', chromeMediaSourceId: sourceId, maxFrameRate: frameRate } } as MediaTrackConstraints,
        })
      : await navigator.mediaDevices.getDisplayMedia({ video: { frameRate: { ideal: frameRate, max: 30 } }, audio: true });
    await this.startContentShare(stream);
    return stream;
  }

  async stopContentShare(): Promise<void> {
    const engine = this.#engine;
    if (!engine) return;
    this.#engine = null;
    await engine.leave();
    this.#finish(true, engine);
  }

  async pauseContentShare(): Promise<void> {
    if (!this.#engine || this.#paused) return;
    this.#paused = true;
    await this.#engine.setPaused('screen', true);
    notifyObservers(this.#observers, 'contentShareDidPause');
  }

  async unpauseContentShare(): Promise<void> {
    if (!this.#engine || !this.#paused) return;
    this.#paused = false;
    await this.#engine.setPaused('screen', false);
    notifyObservers(this.#observers, 'contentShareDidUnpause');
  }

  /** Page unload: leave at once. */
  leaveNow(): void {
    this.#engine?.leaveNow();
  }

  #finish(notify: boolean, engine = this.#engine): void {
    engine?.close();
    if (this.#engine === engine) this.#engine = null;
    for (const t of this.#stream?.getTracks() ?? []) t.stop();
    this.#stream = null;
    if (notify) notifyObservers(this.#observers, 'contentShareDidStop');
  }
}
