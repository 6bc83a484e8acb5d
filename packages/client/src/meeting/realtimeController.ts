import { DATA_MESSAGE_MAX_BYTES, DATA_MESSAGE_TOPIC } from '@parley/protocol';

/** (attendeeId, volume 0..1, muted, signalStrength 0/0.5/1); null means unchanged since the last call. */
export type VolumeIndicatorCallback = (attendeeId: string, volume: number | null, muted: boolean | null, signalStrength: number | null, externalUserId?: string) => void;
export type AttendeePresenceCallback = (attendeeId: string, present: boolean, externalUserId?: string, dropped?: boolean) => void;

/** A message on a data-message topic (Chime's DataMessage). */
export class DataMessage {
  readonly timestampMs: number;
  readonly topic: string;
  readonly data: Uint8Array;
  readonly senderAttendeeId: string;
  readonly senderExternalUserId: string;
  readonly throttled: boolean;

  constructor(timestampMs: number, topic: string, data: Uint8Array, senderAttendeeId: string, senderExternalUserId: string, throttled = false) {
    this.timestampMs = timestampMs;
    this.topic = topic;
    this.data = data;
    this.senderAttendeeId = senderAttendeeId;
    this.senderExternalUserId = senderExternalUserId;
    this.throttled = throttled;
  }

  text(): string {
    return new TextDecoder().decode(this.data);
  }

  json(): unknown {
    return JSON.parse(this.text()) as unknown;
  }
}

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
  readonly #localSignalSubscribers = new Set<(signalStrength: number) => void>();
  readonly #fatalErrorSubscribers = new Set<(error: Error) => void>();
  readonly #dataMessageSubscribers = new Map<string, Set<(message: DataMessage) => void>>();
  /** What each attendee's subscribers were last told. */
  readonly #told = new Map<string, VolumeState>();
  /** The latest of everything, told or not, so a new subscriber starts from the truth. */
  readonly #latest = new Map<string, VolumeState>();
  readonly #present = new Map<string, string>();
  #muted = false;
  #canUnmute = true;
  /** Your own attendee id while a session is connected: its signal strength goes to the local subscribers too. */
  localAttendeeId: string | null = null;
  /** Applies the local mute to the media (set by the session while it is connected). */
  applyMute: (muted: boolean) => void = () => undefined;

  realtimeMuteLocalAudio(): void {
    this.#setMuted(true);
  }

  /** Returns false, changing nothing, when unmuting was disabled with realtimeSetCanUnmuteLocalAudio(false); true if already unmuted (as Chime). */
  realtimeUnmuteLocalAudio(): boolean {
    if (!this.#muted) return true;
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
    for (const cb of [...this.#canUnmuteSubscribers]) this.#safe(() => cb(canUnmute));
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
    if (latest) this.#safe(() => callback(attendeeId, latest.volume, latest.muted, latest.signalStrength, this.#present.get(attendeeId)));
  }

  realtimeUnsubscribeFromVolumeIndicator(attendeeId: string, callback?: VolumeIndicatorCallback): void {
    if (!callback) this.#volumeSubscribers.delete(attendeeId);
    else this.#volumeSubscribers.get(attendeeId)?.delete(callback);
  }

  realtimeSubscribeToAttendeeIdPresence(callback: AttendeePresenceCallback): void {
    this.#presenceSubscribers.add(callback);
    // Those already here are announced to the new subscriber, as Chime does.
    for (const [attendeeId, externalUserId] of this.#present) this.#safe(() => callback(attendeeId, true, externalUserId, false));
  }

  realtimeUnsubscribeToAttendeeIdPresence(callback: AttendeePresenceCallback): void {
    this.#presenceSubscribers.delete(callback);
  }

  /** Your own signal strength (0, 0.5, 1) whenever it changes; a subscriber hears the current one at once. */
  realtimeSubscribeToLocalSignalStrengthChange(callback: (signalStrength: number) => void): void {
    this.#localSignalSubscribers.add(callback);
    const current = this.localAttendeeId === null ? null : this.#latest.get(this.localAttendeeId)?.signalStrength ?? null;
    if (current !== null) this.#safe(() => callback(current));
  }

  realtimeUnsubscribeToLocalSignalStrengthChange(callback: (signalStrength: number) => void): void {
    this.#localSignalSubscribers.delete(callback);
  }

  /** Called with the error when one of your realtime callbacks throws (Chime reports such failures as fatal errors). */
  realtimeSubscribeToFatalError(callback: (error: Error) => void): void {
    this.#fatalErrorSubscribers.add(callback);
  }

  realtimeUnsubscribeToFatalError(callback: (error: Error) => void): void {
    this.#fatalErrorSubscribers.delete(callback);
  }

  /** Set by the session while connected: sends one validated data message. */
  sendDataMessage: ((topic: string, data: Uint8Array, lifetimeMs?: number) => void) | undefined;

  /**
   * Sends to everyone else in the meeting (the server relays it; you do not receive your own,
   * except back flagged throttled when you send more than ~100 a second). As in Chime, a bad
   * topic (1-36 of a-z A-Z 0-9 _ -), more than 2048 bytes or a negative lifetime is not thrown
   * to you but reported to realtimeSubscribeToFatalError; sending while not connected is logged.
   */
  realtimeSendDataMessage(topic: string, data: Uint8Array | string | object, lifetimeMs?: number): void {
    try {
      const bytes = data instanceof Uint8Array ? data : new TextEncoder().encode(typeof data === 'string' ? data : JSON.stringify(data));
      if (!DATA_MESSAGE_TOPIC.test(topic)) throw new Error('Invalid topic');
      if (bytes.length > DATA_MESSAGE_MAX_BYTES) throw new Error(`Data size has to be less than ${DATA_MESSAGE_MAX_BYTES} bytes`);
      if (lifetimeMs !== undefined && lifetimeMs < 0) throw new Error('The life time of the message has to be non negative');
      if (this.sendDataMessage) this.sendDataMessage(topic, bytes, lifetimeMs);
      else console.error('[parley] Cannot send data message because the session is not connected');
    } catch (err) {
      this.#safe(() => {
        throw err;
      });
    }
  }

  /** A data message arrived: its topic's subscribers get it (a throwing one does not stop the others). */
  handleDataMessage(message: DataMessage): void {
    for (const cb of [...(this.#dataMessageSubscribers.get(message.topic) ?? [])]) {
      try {
        cb(message);
      } catch (err) {
        // As Chime: not thrown to the caller, but visible (an unhandled rejection in the console).
        void Promise.reject(err);
      }
    }
  }

  /** Registers for a topic. */
  realtimeSubscribeToReceiveDataMessage(topic: string, callback: (message: DataMessage) => void): void {
    let set = this.#dataMessageSubscribers.get(topic);
    if (!set) this.#dataMessageSubscribers.set(topic, (set = new Set()));
    set.add(callback);
  }

  /** Drops every callback of the topic (as Chime does). */
  realtimeUnsubscribeFromReceiveDataMessage(topic: string): void {
    this.#dataMessageSubscribers.delete(topic);
  }

  /** Every attendee present, yourself and content attendees included. */
  presentAttendees(): string[] {
    return [...this.#present.keys()];
  }

  handlePresence(attendeeId: string, present: boolean, externalUserId: string, dropped = false): void {
    if (present === this.#present.has(attendeeId)) return;
    if (present) this.#present.set(attendeeId, externalUserId);
    else {
      // The leave event carries no name: report the one the attendee joined with, as Chime does.
      externalUserId = this.#present.get(attendeeId) || externalUserId;
      this.#present.delete(attendeeId);
      this.#told.delete(attendeeId);
      this.#latest.delete(attendeeId);
    }
    for (const cb of [...this.#presenceSubscribers]) this.#safe(() => cb(attendeeId, present, externalUserId, dropped));
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
    if (signalStrength !== null && attendeeId === this.localAttendeeId) {
      for (const cb of [...this.#localSignalSubscribers]) this.#safe(() => cb(signalStrength));
    }
    const subscribers = this.#volumeSubscribers.get(attendeeId);
    if (!subscribers) return;
    const externalUserId = this.#present.get(attendeeId);
    for (const cb of [...subscribers]) this.#safe(() => cb(attendeeId, volume, muted, signalStrength, externalUserId));
  }

  /**
   * Forgets remote state (session stopped) without calling anyone: leaving is not "everyone
   * left". Chime does the same (its presence callbacks fire only from the server's attendee
   * frames, and none arrive after stop); a later start announces those present again.
   * The local mute setting and the subscriptions stay.
   */
  reset(): void {
    this.#present.clear();
    this.#told.clear();
    this.#latest.clear();
    this.localAttendeeId = null;
  }

  /** Runs an app callback; if it throws, the fatal-error subscribers hear of it (Chime's onError), else the console. */
  #safe(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      if (this.#fatalErrorSubscribers.size === 0) console.error('[parley] realtime callback threw', error);
      for (const cb of [...this.#fatalErrorSubscribers]) {
        try {
          cb(error);
        } catch (inner) {
          console.error('[parley] realtime callback threw', error, inner);
        }
      }
    }
  }

  #setMuted(muted: boolean): void {
    if (this.#muted === muted) return;
    this.#muted = muted;
    this.applyMute(muted);
    for (const cb of [...this.#muteSubscribers]) this.#safe(() => cb(muted));
  }
}


