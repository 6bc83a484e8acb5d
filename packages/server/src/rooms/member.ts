import { DEFAULT_INPUT_SENSITIVITY, type AttendeeInfo, type EventData, type EventName, type MediaAllowed, type Permission, type Role, type SessionEndReason } from '@parley/protocol';
import { producerTag, type SfuPeer } from '../sfu/sfuPeer.js';

/** How the room reaches a member's client: implemented by the signaling session. */
export interface MemberChannel {
  notify<E extends EventName>(event: E, data: EventData<E>): void;
  /** Tells the client why its session ended, then closes the connection. */
  end(reason: SessionEndReason, message: string): void;
  /** Closes the connection without ending the session: the client reconnects (the SDKs do). */
  disconnect(code: number, message: string): void;
}

export interface MemberIdentity {
  attendeeId: string;
  externalUserId: string;
  name: string;
  role: Role;
  permissions: readonly Permission[];
  isContent: boolean;
  /** Audience: what it may receive; member: what it may send. Default all. */
  mediaAllowed?: MediaAllowed;
  meta?: Record<string, unknown>;
}

/**
 * What room control knows about a member beyond its media (SignalWire's member fields). The
 * room keeps the media in line with it: muted means the server forwards nothing.
 */
export interface MemberControlState {
  audioMuted: boolean;
  videoMuted: boolean;
  deaf: boolean;
  inputVolume: number;
  outputVolume: number;
  inputSensitivity: number;
  handraised: boolean;
  /** When the hand went up (orders raised hands when they are prioritised). */
  handraisedAt: number;
  talking: boolean;
  meta: Record<string, unknown>;
  requestedPosition: string;
  /** Set by the layout: where the member is now, and whether it is on the canvas. */
  currentPosition: string;
  visible: boolean;
  mediaAllowed: MediaAllowed;
}

/** A participant in a live room: identity, permissions, its media peer and its channel. */
export class Member {
  readonly attendeeId: string;
  readonly externalUserId: string;
  readonly name: string;
  /** Changes on promote/demote. */
  role: Role;
  readonly isContent: boolean;
  #permissions: ReadonlySet<Permission>;
  readonly state: MemberControlState;
  readonly peer: SfuPeer;
  readonly channel: MemberChannel;
  readonly joinedAt = Date.now();

  constructor(identity: MemberIdentity, peer: SfuPeer, channel: MemberChannel) {
    this.attendeeId = identity.attendeeId;
    this.externalUserId = identity.externalUserId;
    this.name = identity.name;
    this.role = identity.role;
    this.isContent = identity.isContent;
    this.#permissions = new Set(identity.permissions);
    this.state = {
      audioMuted: false, videoMuted: false, deaf: false, inputVolume: 0, outputVolume: 0,
      inputSensitivity: DEFAULT_INPUT_SENSITIVITY, handraised: false, handraisedAt: 0, talking: false,
      meta: { ...identity.meta }, requestedPosition: 'auto', currentPosition: 'off-canvas', visible: false,
      mediaAllowed: identity.mediaAllowed ?? 'all',
    };
    this.peer = peer;
    this.channel = channel;
  }

  can(permission: Permission): boolean {
    return this.#permissions.has(permission);
  }

  get permissions(): Permission[] {
    return [...this.#permissions];
  }

  setPermissions(permissions: readonly Permission[]): void {
    this.#permissions = new Set(permissions);
  }

  /** May this member send (member) or receive (audience) media of this kind? */
  allows(kind: 'audio' | 'video'): boolean {
    const allowed = this.state.mediaAllowed;
    return allowed === 'all' || (kind === 'audio' ? allowed === 'audio-only' : allowed === 'video-only');
  }

  /** Live producers of a source (e.g. 'microphone'). */
  producersOf(source: string): Array<{ id: string; paused: boolean }> {
    return [...this.peer.producers.values()].filter((p) => producerTag(p).source === source);
  }

  /** Muted = not sending: derived from the producers so it can never disagree with the media. */
  info(): AttendeeInfo {
    const mic = this.producersOf('microphone');
    const cam = this.producersOf('camera').concat(this.producersOf('screen'));
    return {
      attendeeId: this.attendeeId,
      externalUserId: this.externalUserId,
      name: this.name,
      role: this.role,
      isContent: this.isContent,
      audioMuted: mic.length === 0 || mic.every((p) => p.paused),
      videoMuted: cam.length === 0 || cam.every((p) => p.paused),
    };
  }
}
