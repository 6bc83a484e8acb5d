/** Room volume (-50..50, 0 = unchanged) -> linear gain: 0.5 dB per step, so -25 dB .. +25 dB. */
export function volumeToGain(volume: number): number {
  return 10 ** ((Math.max(-50, Math.min(50, volume)) * 0.5) / 20);
}

/**
 * The member's audio path in WebAudio: the microphone goes through an input gain before it is
 * sent (setInputVolume), received audio through an output gain to the speakers (setOutputVolume).
 */
export class AudioGain {
  readonly #ctx: AudioContext;
  readonly #input: GainNode;
  readonly #output: GainNode;
  readonly #sendDestination: MediaStreamAudioDestinationNode;
  readonly #remote = new Map<string, { source: MediaStreamAudioSourceNode; element: HTMLAudioElement }>();
  #mic: MediaStreamAudioSourceNode | undefined;

  constructor() {
    this.#ctx = new AudioContext();
    this.#input = this.#ctx.createGain();
    this.#output = this.#ctx.createGain();
    this.#sendDestination = this.#ctx.createMediaStreamDestination();
    this.#input.connect(this.#sendDestination);
    this.#output.connect(this.#ctx.destination);
  }

  /** The track to publish: `mic` after the input gain. */
  sendTrack(mic: MediaStreamTrack): MediaStreamTrack {
    this.#mic?.disconnect();
    this.#mic = this.#ctx.createMediaStreamSource(new MediaStream([mic]));
    this.#mic.connect(this.#input);
    void this.#ctx.resume().catch(() => undefined);
    return this.#sendDestination.stream.getAudioTracks()[0]!;
  }

  setInputVolume(volume: number): void {
    this.#input.gain.value = volumeToGain(volume);
  }

  setOutputVolume(volume: number): void {
    this.#output.gain.value = volumeToGain(volume);
  }

  /** The output device the room's audio plays on ('' = default): AudioContext.setSinkId. */
  async setSinkId(deviceId: string): Promise<void> {
    const ctx = this.#ctx as AudioContext & { setSinkId?: (id: string) => Promise<void> };
    if (!ctx.setSinkId) throw new Error('this browser cannot choose the audio output (no AudioContext.setSinkId)');
    await ctx.setSinkId(deviceId);
  }

  get sinkId(): string {
    const sink = (this.#ctx as AudioContext & { sinkId?: string | { type: string } }).sinkId;
    return typeof sink === 'string' ? sink : '';
  }

  /** Plays a received track through the output gain. */
  play(id: string, track: MediaStreamTrack): void {
    this.stop(id);
    const stream = new MediaStream([track]);
    // Chrome feeds remote WebRTC audio to WebAudio only while a media element plays it.
    const element = document.createElement('audio');
    element.srcObject = stream;
    element.muted = true;
    void element.play().catch(() => undefined);
    const source = this.#ctx.createMediaStreamSource(stream);
    source.connect(this.#output);
    this.#remote.set(id, { source, element });
    void this.#ctx.resume().catch(() => undefined);
  }

  stop(id: string): void {
    const r = this.#remote.get(id);
    if (!r) return;
    r.source.disconnect();
    r.element.srcObject = null;
    this.#remote.delete(id);
  }

  close(): void {
    for (const id of [...this.#remote.keys()]) this.stop(id);
    this.#mic?.disconnect();
    void this.#ctx.close().catch(() => undefined);
  }
}
