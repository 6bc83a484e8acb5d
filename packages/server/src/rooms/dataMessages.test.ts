import { describe, expect, it } from 'vitest';
import { DataMessages } from './dataMessages.js';

const ann = { attendeeId: 'ann', externalUserId: 'Ann' };
const bo = { attendeeId: 'bo', externalUserId: 'Bo' };

describe('DataMessages', () => {
  it('keeps messages sent with a lifetime for later joiners until they expire, never giving one back to its sender', () => {
    const dm = new DataMessages();
    dm.handleSend(ann, { topic: 'chat', data: 'aGk=' }, 1000);
    dm.handleSend(ann, { topic: 'state', data: 'eA==', lifetimeMs: 5000 }, 1000);
    dm.handleSend(bo, { topic: 'state', data: 'eQ==', lifetimeMs: 1000 }, 1500);
    expect(dm.pendingFor('cy', 2000).map((m) => [m.senderAttendeeId, m.data])).toEqual([['ann', 'eA=='], ['bo', 'eQ==']]);
    expect(dm.pendingFor('ann', 2000).map((m) => m.senderAttendeeId)).toEqual(['bo']);
    expect(dm.pendingFor('cy', 3000).map((m) => m.data)).toEqual(['eA==']);
    expect(dm.pendingFor('cy', 6001)).toEqual([]);
  });

  it('throttles a sender over 100 a second (to the sender only), not the others', () => {
    const dm = new DataMessages();
    const results = Array.from({ length: 150 }, () => dm.handleSend(ann, { topic: 't', data: '' }));
    const throttled = results.filter((r) => r.toSenderOnly);
    expect(throttled.length).toBeGreaterThanOrEqual(49);
    expect(throttled.length).toBeLessThanOrEqual(50);
    expect(throttled.every((r) => r.message.throttled)).toBe(true);
    expect(dm.handleSend(bo, { topic: 't', data: '' }).toSenderOnly).toBe(false);
  });
});
