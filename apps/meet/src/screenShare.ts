import type { ContentShareObserver, DefaultAudioVideoFacade } from '@parley/client';

export const screenShareSupported = typeof navigator !== 'undefined' && typeof navigator.mediaDevices?.getDisplayMedia === 'function';

export type ShareStopReason = 'user' | 'ended' | 'failed';

/**
 * Presenting a screen with the SDK's content share: startContentShareFromScreenCapture asks what
 * to share and joins as "<attendeeId>#content"; the content share observer reports the outcome.
 */
export class ScreenShare implements ContentShareObserver {
  readonly #av: DefaultAudioVideoFacade;
  readonly #onChange: (sharing: boolean, busy: boolean, stopped?: ShareStopReason) => void;
  #sharing = false;
  #starting = false;
  #stopping = false;

  constructor(audioVideo: DefaultAudioVideoFacade, onChange: (sharing: boolean, busy: boolean, stopped?: ShareStopReason) => void) {
    this.#av = audioVideo;
    this.#onChange = onChange;
    audioVideo.addContentShareObserver(this);
  }

  get active(): boolean {
    return this.#sharing;
  }

  /** Asks the user what to share, then shares it; cancelling the picker changes nothing. */
  async start(): Promise<void> {
    if (this.#sharing || this.#starting) return;
    this.#starting = true;
    this.#onChange(false, true);
    try {
      await this.#av.startContentShareFromScreenCapture();
    } catch (err) {
      this.#starting = false;
      this.#onChange(false, false);
      if (err instanceof DOMException && err.name === 'NotAllowedError') return; // cancelled
      throw err;
    }
  }

  async stop(): Promise<void> {
    if (!this.#sharing) return;
    this.#stopping = true;
    await this.#av.stopContentShare();
  }

  contentShareDidStart(): void {
    this.#starting = false;
    this.#sharing = true;
    this.#onChange(true, false);
  }

  contentShareDidStop(): void {
    const reason: ShareStopReason = this.#starting ? 'failed' : this.#stopping ? 'user' : 'ended';
    this.#starting = false;
    this.#stopping = false;
    this.#sharing = false;
    this.#onChange(false, false, reason);
  }

  destroy(): void {
    this.#av.removeContentShareObserver(this);
  }
}
