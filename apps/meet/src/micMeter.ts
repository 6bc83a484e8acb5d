/** A local microphone level (0..1) for the "is my mic working?" check before joining. */
export class MicMeter {
  #ctx: AudioContext | undefined;
  #source: MediaStreamAudioSourceNode | undefined;
  #frame = 0;
  readonly #onLevel: (level: number) => void;

  constructor(onLevel: (level: number) => void) {
    this.#onLevel = onLevel;
  }

  attach(track: MediaStreamTrack | undefined): void {
    this.#source?.disconnect();
    this.#source = undefined;
    cancelAnimationFrame(this.#frame);
    if (!track || typeof AudioContext === 'undefined') {
      this.#onLevel(0);
      return;
    }
    const ctx = (this.#ctx ??= new AudioContext());
    const source = ctx.createMediaStreamSource(new MediaStream([track]));
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 512;
    source.connect(analyser);
    this.#source = source;
    const data = new Float32Array(analyser.fftSize);
    const tick = () => {
      analyser.getFloatTimeDomainData(data);
      let sum = 0;
      for (const v of data) sum += v * v;
      const rms = Math.sqrt(sum / data.length);
      this.#onLevel(track.enabled ? Math.min(1, rms * 4) : 0);
      this.#frame = requestAnimationFrame(tick);
    };
    tick();
  }

  /** Browsers start audio contexts suspended until the page is clicked. */
  resume(): void {
    if (this.#ctx?.state === 'suspended') void this.#ctx.resume();
  }

  close(): void {
    cancelAnimationFrame(this.#frame);
    this.#source?.disconnect();
    void this.#ctx?.close();
    this.#ctx = undefined;
  }
}
