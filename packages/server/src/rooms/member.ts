import type { AttendeeInfo, EventData, EventName, Permission, Role, SessionEndReason } from '@parley/protocol';
import { producerTag, type SfuPeer } from '../sfu/sfuPeer.js';

/** How the room reaches a member's client: implemented by the signaling session. */
export interface MemberChannel {
  notify<E extends EventName>(event: E, data: EventData<E>): void;
  /** Tells the client why its session ended, then closes the connection. */
  end(reason: SessionEndReason, message: string): void;
}

export interface MemberIdentity {
  attendeeId: string;
  externalUserId: string;
  name: string;
  role: Role;
  permissions: readonly Permission[];
  isContent: boolean;
}

/** A participant in a live room: identity, permissions, its media peer and its channel. */
export class Member {
  readonly attendeeId: string;
  readonly externalUserId: string;
  readonly name: string;
  readonly role: Role;
  readonly isContent: boolean;
  readonly #permissions: ReadonlySet<Permission>;
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
    this.peer = peer;
    this.channel = channel;
  }

  can(permission: Permission): boolean {
    return this.#permissions.has(permission);
  }

  get permissions(): Permission[] {
    return [...this.#permissions];
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
