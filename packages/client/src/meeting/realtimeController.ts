/** (attendeeId, volume 0..1, muted, signalStrength 0/0.5/1); null means unchanged since the last call. */
export type VolumeIndicatorCallback = (attendeeId: string, volume: number | null, muted: boolean | null, signalStrength: number | null, externalUserId?: string) => void;
export type AttendeePresenceCallback = (attendeeId: string, present: boolean, externalUserId?: string, dropped?: boolean) => void;

interface VolumeState {
  volume: number | null;
  muted: boolean | null;
  signalStrength: number | null;
}

/**
 * Local mute state and the realtime subscriptions (Chime's RealtimeController): it keeps the
 * latest volume, mute and signal state per attendee and calls subscribers with what changed.
 * The session feeds it through handle* methods; it never talks to the network itself.
 */
export class RealtimeController {
  readonly #volumeSubscribers = new Map<string, Set<VolumeIndicatorCallback>>();
  readonly #presenceSubscribers = new Set<AttendeePresenceCallback>();
  readonly #muteSubscribers = new Set<(muted: boolean) => void>();
  readonly #canUnmuteSubscribers = new Set<(canUnmute: boolean) => void>();
  /** What each attendee's subscribers were last told. */
  readonly #told = new Map<string, VolumeState>();
  /** The latest of everything, told or not, so a new subscriber starts from the truth. */
  readonly #latest = new Map<string, VolumeState>();
  readonly #present = new Map<string, string>();
  #muted = false;
  #canUnmute = true;
  /** Applies the local mute to the media (set by the session while it is connected). */
  applyMute: (muted: boolean) => void = () => undefined;

  realtimeMuteLocalAudio(): void {
    this.#setMuted(true);
  }

  /** Returns false, changing nothing, when unmuting was disabled with realtimeSetCanUnmuteLocalAudio(false). */
  realtimeUnmuteLocalAudio(): boolean {
    if (!this.#canUnmute) return false;
    this.#setMuted(false);
    return true;
  }

  realtimeIsLocalAudioMuted(): boolean {
    return this.#muted;
  }

  realtimeSetCanUnmuteLocalAudio(canUnmute: boolean): void {
    if (this.#canUnmute === canUnmute) return;
    this.#canUnmute = canUnmute;
    for (const cb of [...this.#canUnmuteSubscribers]) safe(() => cb(canUnmute));
  }

  realtimeCanUnmuteLocalAudio(): boolean {
    return this.#canUnmute;
  }

  realtimeSubscribeToMuteAndUnmuteLocalAudio(callback: (muted: boolean) => void): void {
    this.#muteSubscribers.add(callback);
  }

  realtimeUnsubscribeToMuteAndUnmuteLocalAudio(callback: (muted: boolean) => void): void {
    this.#muteSubscribers.delete(callback);
  }

  realtimeSubscribeToSetCanUnmuteLocalAudio(callback: (canUnmute: boolean) => void): void {
    this.#canUnmuteSubscribers.add(callback);
  }

  realtimeUnsubscribeToSetCanUnmuteLocalAudio(callback: (canUnmute: boolean) => void): void {
    this.#canUnmuteSubscribers.delete(callback);
  }

  realtimeSubscribeToVolumeIndicator(attendeeId: string, callback: VolumeIndicatorCallback): void {
    let set = this.#volumeSubscribers.get(attendeeId);
    if (!set) this.#volumeSubscribers.set(attendeeId, (set = new Set()));
    set.add(callback);
    // A late subscriber learns the current state at once instead of waiting for a change.
    const latest = this.#latest.get(attendeeId);
    if (latest) safe(() => callback(attendeeId, latest.volume, latest.muted, latest.signalStrength, this.#present.get(attendeeId)));
  }

  realtimeUnsubscribeFromVolumeIndicator(attendeeId: string, callback?: VolumeIndicatorCallback): void {
    if (!callback) this.#volumeSubscribers.delete(attendeeId);
    else this.#volumeSubscribers.get(attendeeId)?.delete(callback);
  }

  realtimeSubscribeToAttendeeIdPresence(callback: AttendeePresenceCallback): void {
    this.#presenceSubscribers.add(callback);
    // Those already here are announced to the new subscriber, as Chime does.
    for (const [attendeeId, externalUserId] of this.#present) safe(() => callback(attendeeId, true, externalUserId, false));
  }

  realtimeUnsubscribeToAttendeeIdPresence(callback: AttendeePresenceCallback): void {
    this.#presenceSubscribers.delete(callback);
  }

  /** Every attendee present, yourself and content attendees included. */
  presentAttendees(): string[] {
    return [...this.#present.keys()];
  }

  handlePresence(attendeeId: string, present: boolean, externalUserId: string, dropped = false): void {
    if (present === this.#present.has(attendeeId)) return;
    if (present) this.#present.set(attendeeId, externalUserId);
    else {
      this.#present.delete(attendeeId);
      this.#told.delete(attendeeId);
      this.#latest.delete(attendeeId);
    }
    for (const cb of [...this.#presenceSubscribers]) safe(() => cb(attendeeId, present, externalUserId, dropped));
  }

  /** New figures for one attendee; fields left undefined keep their value. */
  handleVolume(attendeeId: string, update: Partial<VolumeState>): void {
    const latest = { ...(this.#latest.get(attendeeId) ?? { volume: null, muted: null, signalStrength: null }) };
    for (const key of ['volume', 'muted', 'signalStrength'] as const) if (update[key] !== undefined) (latest[key] as unknown) = update[key];
    // A muted attendee is silent whatever the last level said.
    if (latest.muted) latest.volume = 0;
    this.#latest.set(attendeeId, latest);
    const told = this.#told.get(attendeeId);
    const changed = (key: keyof VolumeState) => (!told || told[key] !== latest[key] ? latest[key] : null);
    const volume = changed('volume') as number | null;
    const muted = changed('muted') as boolean | null;
    const signalStrength = changed('signalStrength') as number | null;
    if (volume === null && muted === null && signalStrength === null) return;
    this.#told.set(attendeeId, { ...latest });
    const subscribers = this.#volumeSubscribers.get(attendeeId);
    if (!subscribers) return;
    const externalUserId = this.#present.get(attendeeId);
    for (const cb of [...subscribers]) safe(() => cb(attendeeId, volume, muted, signalStrength, externalUserId));
  }

  /** Forgets remote state (session stopped); the local mute setting stays. */
  reset(): void {
    for (const attendeeId of [...this.#present.keys()]) this.handlePresence(attendeeId, false, this.#present.get(attendeeId) ?? '');
    this.#told.clear();
    this.#latest.clear();
  }

  #setMuted(muted: boolean): void {
    if (this.#muted === muted) return;
    this.#muted = muted;
    this.applyMute(muted);
    for (const cb of [...this.#muteSubscribers]) safe(() => cb(muted));
  }
}

function safe(fn: () => void): void {
  try {
    fn();
  } catch (err) {
    console.error('[parley] realtime callback threw', err);
  }
}
