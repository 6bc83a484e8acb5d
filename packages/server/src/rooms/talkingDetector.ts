import { TypedEmitter } from '@parley/protocol';

export type TalkingDetectorEvents = {
  talking: [attendeeId: string, talking: boolean];
};

/** Quiet for this long ends a talk spurt (speech has short pauses). */
export const TALKING_HANGOVER_MS = 600;

/**
 * Input sensitivity (0..100, SignalWire's scale) -> level threshold in dBov. 0 never counts as
 * talking; 30 (the default) is -31 dBov, normal speech; 100 is -80 dBov, the quietest level the
 * audio level observer reports.
 */
export function sensitivityThreshold(sensitivity: number): number {
  if (sensitivity <= 0) return Number.POSITIVE_INFINITY;
  return -10 - 0.7 * Math.min(100, sensitivity);
}

/**
 * Server-side talking detection from the SFU's audio levels: a member talks while its level is
 * at or above its sensitivity threshold, and stops after TALKING_HANGOVER_MS below it.
 * Takes input through handle* methods and the threshold through a getter; holds no room.
 */
export class TalkingDetector extends TypedEmitter<TalkingDetectorEvents> {
  readonly #sensitivityOf: (attendeeId: string) => number | undefined;
  /** attendeeId -> when it was last at/above its threshold. */
  readonly #talking = new Map<string, number>();

  constructor(sensitivityOf: (attendeeId: string) => number | undefined) {
    super();
    this.#sensitivityOf = sensitivityOf;
  }

  isTalking(attendeeId: string): boolean {
    return this.#talking.has(attendeeId);
  }

  /** One observer tick: levels of the producers above the observer's floor. */
  handleLevels(levels: Array<{ attendeeId: string; dBov: number }>, now = Date.now()): void {
    const loud = new Set<string>();
    for (const { attendeeId, dBov } of levels) {
      const sensitivity = this.#sensitivityOf(attendeeId);
      if (sensitivity === undefined || dBov < sensitivityThreshold(sensitivity)) continue;
      loud.add(attendeeId);
      const was = this.#talking.has(attendeeId);
      this.#talking.set(attendeeId, now);
      if (!was) this.emit('talking', attendeeId, true);
    }
    for (const [attendeeId, last] of [...this.#talking]) {
      if (!loud.has(attendeeId) && now - last >= TALKING_HANGOVER_MS) this.#stop(attendeeId);
    }
  }

  /** Nobody is above the floor: everyone has stopped. */
  handleSilence(): void {
    for (const attendeeId of [...this.#talking.keys()]) this.#stop(attendeeId);
  }

  /** The member left or was muted. */
  handleGone(attendeeId: string): void {
    if (this.#talking.has(attendeeId)) this.#stop(attendeeId);
  }

  #stop(attendeeId: string): void {
    this.#talking.delete(attendeeId);
    this.emit('talking', attendeeId, false);
  }
}
