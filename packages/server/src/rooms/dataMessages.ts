import type { EventData } from '@parley/protocol';
import { TokenBucket } from '../signaling/tokenBucket.js';

/** Chime lets an attendee send about 100 data messages a second; beyond that they come back throttled. */
const RATE_PER_SECOND = 100;
/** Messages kept for late joiners (those sent with a lifetime), oldest dropped first. */
const MAX_KEPT = 1024;

export interface DataMessageSender {
  attendeeId: string;
  externalUserId: string;
}

type Message = EventData<'dataMessage'>;

/**
 * A room's data messages (Chime's realtimeSendDataMessage): relayed to everyone but the sender,
 * rate-limited per sender (a throttled message goes back to its sender flagged, as Chime does),
 * and, when sent with a lifetime, kept for attendees who join before it expires.
 */
export class DataMessages {
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #kept: Array<{ message: Message; expiresAt: number; sender: string }> = [];

  /** What to deliver to whom: `to` is every other attendee, or only the sender when throttled. */
  handleSend(sender: DataMessageSender, p: { topic: string; data: string; lifetimeMs?: number | undefined }, now = Date.now()): { message: Message; toSenderOnly: boolean } {
    let bucket = this.#buckets.get(sender.attendeeId);
    if (!bucket) this.#buckets.set(sender.attendeeId, (bucket = new TokenBucket(RATE_PER_SECOND, RATE_PER_SECOND)));
    const throttled = !bucket.take();
    const message: Message = {
      topic: p.topic, data: p.data, senderAttendeeId: sender.attendeeId, senderExternalUserId: sender.externalUserId, timestampMs: now, throttled,
    };
    if (!throttled && p.lifetimeMs) {
      this.#kept.push({ message, expiresAt: now + p.lifetimeMs, sender: sender.attendeeId });
      if (this.#kept.length > MAX_KEPT) this.#kept.shift();
    }
    return { message, toSenderOnly: throttled };
  }

  /** Unexpired kept messages for an attendee that just joined (not its own). */
  pendingFor(attendeeId: string, now = Date.now()): Message[] {
    while (this.#kept.length && this.#kept[0]!.expiresAt <= now) this.#kept.shift();
    return this.#kept.filter((k) => k.expiresAt > now && k.sender !== attendeeId).map((k) => k.message);
  }

  handleLeft(attendeeId: string): void {
    this.#buckets.delete(attendeeId);
  }
}
