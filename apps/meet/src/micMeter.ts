/** A microphone level (0..1) for the "is my mic working?" check, read from the SDK's analyser node. */
export class MicMeter {
  #analyser: AnalyserNode | null = null;
  #frame = 0;
  readonly #onLevel: (level: number) => void;

  constructor(onLevel: (level: number) => void) {
    this.#onLevel = onLevel;
  }

  /** Follows a new analyser (createAnalyserNodeForAudioInput), or none. */
  attach(analyser: AnalyserNode | null, enabled: () => boolean): void {
    this.#detach();
    if (!analyser) {
      this.#onLevel(0);
      return;
    }
    this.#analyser = analyser;
    analyser.fftSize = 512;
    const data = new Float32Array(analyser.fftSize);
    const tick = () => {
      analyser.getFloatTimeDomainData(data);
      let sum = 0;
      for (const v of data) sum += v * v;
      const rms = Math.sqrt(sum / data.length);
      this.#onLevel(enabled() ? Math.min(1, rms * 4) : 0);
      this.#frame = requestAnimationFrame(tick);
    };
    tick();
  }

  /** Browsers start audio contexts suspended until the page is clicked. */
  resume(): void {
    const context = this.#analyser?.context;
    if (context instanceof AudioContext && context.state === 'suspended') void context.resume();
  }

  #detach(): void {
    cancelAnimationFrame(this.#frame);
    const context = this.#analyser?.context;
    this.#analyser = null;
    if (context instanceof AudioContext) void context.close();
  }

  close(): void {
    this.#detach();
  }
}
