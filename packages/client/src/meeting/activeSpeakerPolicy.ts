/** Scores attendees from their volume updates (Chime's ActiveSpeakerPolicy). */
export interface ActiveSpeakerPolicy {
  /** The attendee's new score 0..1 after a volume update; 0 means not speaking. */
  calculateScore(attendeeId: string, volume: number | null, muted: boolean | null): number;
  /** Whether the active speaker's video should get more of the uplink. */
  prioritizeVideoSendBandwidthForActiveSpeaker(): boolean;
}

/**
 * A smoothed loudness score per attendee: each update moves the score toward the new volume by
 * (1 - speakerWeight); a loud speaker also pulls the others down by takeoverRate, so a new speaker
 * takes over quickly; scores under cutoffThreshold count as silence.
 */
export class DefaultActiveSpeakerPolicy implements ActiveSpeakerPolicy {
  readonly #scores = new Map<string, number>();
  readonly #speakerWeight: number;
  readonly #cutoffThreshold: number;
  readonly #silenceThreshold: number;
  readonly #takeoverRate: number;

  constructor(speakerWeight = 0.9, cutoffThreshold = 0.01, silenceThreshold = 0.2, takeoverRate = 0.2) {
    this.#speakerWeight = speakerWeight;
    this.#cutoffThreshold = cutoffThreshold;
    this.#silenceThreshold = silenceThreshold;
    this.#takeoverRate = takeoverRate;
  }

  calculateScore(attendeeId: string, volume: number | null, muted: boolean | null): number {
    const level = muted || volume === null ? 0 : volume;
    const previous = this.#scores.get(attendeeId) ?? 0;
    let score = this.#speakerWeight * previous + (1 - this.#speakerWeight) * level;
    if (score < this.#cutoffThreshold) score = 0;
    this.#scores.set(attendeeId, score);
    if (level > this.#silenceThreshold) {
      for (const [other, s] of this.#scores) {
        if (other !== attendeeId) this.#scores.set(other, Math.max(s - this.#takeoverRate * level, 0));
      }
    }
    return score;
  }

  /** The latest score of every attendee seen. */
  scores(): ReadonlyMap<string, number> {
    return this.#scores;
  }

  forget(attendeeId: string): void {
    this.#scores.delete(attendeeId);
  }

  prioritizeVideoSendBandwidthForActiveSpeaker(): boolean {
    return false;
  }
}

export type ActiveSpeakerCallback = (attendeeIds: string[]) => void;
export type ActiveSpeakerScoresCallback = (scores: Record<string, number>) => void;

interface Subscription {
  policy: ActiveSpeakerPolicy;
  callback: ActiveSpeakerCallback;
  scoresCallback?: ActiveSpeakerScoresCallback;
  scores: Map<string, number>;
  last: string[];
  timer?: ReturnType<typeof setInterval>;
}

/**
 * Runs each subscriber's policy on every volume update and calls it with the attendees that
 * have a score, loudest first, whenever that list changes (Chime's ActiveSpeakerDetector).
 */
export class ActiveSpeakerDetector {
  readonly #subs: Subscription[] = [];

  subscribe(policy: ActiveSpeakerPolicy, callback: ActiveSpeakerCallback, scoresCallback?: ActiveSpeakerScoresCallback, scoresCallbackIntervalMs = 1000): void {
    const sub: Subscription = { policy, callback, scores: new Map(), last: [], ...(scoresCallback ? { scoresCallback } : {}) };
    if (scoresCallback) {
      sub.timer = setInterval(() => scoresCallback(Object.fromEntries(sub.scores)), scoresCallbackIntervalMs);
    }
    this.#subs.push(sub);
  }

  unsubscribe(callback: ActiveSpeakerCallback): void {
    for (let i = this.#subs.length - 1; i >= 0; i--) {
      const sub = this.#subs[i]!;
      if (sub.callback !== callback) continue;
      clearInterval(sub.timer);
      this.#subs.splice(i, 1);
    }
  }

  handleVolume(attendeeId: string, volume: number, muted: boolean): void {
    for (const sub of this.#subs) {
      sub.scores.set(attendeeId, sub.policy.calculateScore(attendeeId, volume, muted));
      // A takeover can lower others' scores inside the policy: read them back when it exposes them.
      if (sub.policy instanceof DefaultActiveSpeakerPolicy) for (const [id, s] of sub.policy.scores()) if (sub.scores.has(id)) sub.scores.set(id, s);
      this.#report(sub);
    }
  }

  handleLeft(attendeeId: string): void {
    for (const sub of this.#subs) {
      sub.scores.delete(attendeeId);
      if (sub.policy instanceof DefaultActiveSpeakerPolicy) sub.policy.forget(attendeeId);
      this.#report(sub);
    }
  }

  close(): void {
    for (const sub of this.#subs) clearInterval(sub.timer);
    this.#subs.length = 0;
  }

  #report(sub: Subscription): void {
    const ranked = [...sub.scores].filter(([, s]) => s > 0).sort((a, b) => b[1] - a[1]).map(([id]) => id);
    if (ranked.length === sub.last.length && ranked.every((id, i) => id === sub.last[i])) return;
    sub.last = ranked;
    try {
      sub.callback(ranked);
    } catch (err) {
      console.error('[parley] active speaker callback threw', err);
    }
  }
}
