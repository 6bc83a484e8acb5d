import { describe, expect, it } from 'vitest';
import { TALKING_HANGOVER_MS, TalkingDetector, sensitivityThreshold } from './talkingDetector.js';

describe('talking detector', () => {
  it('maps sensitivity to a threshold: 0 never, 30 = -31 dBov, 100 = -80 dBov', () => {
    expect(sensitivityThreshold(0)).toBe(Number.POSITIVE_INFINITY);
    expect(sensitivityThreshold(30)).toBe(-31);
    expect(sensitivityThreshold(100)).toBe(-80);
  });

  it('starts at the threshold, ends after the hangover or on silence', () => {
    const sensitivity = new Map([['a', 30], ['b', 30]]);
    const d = new TalkingDetector((id) => sensitivity.get(id));
    const events: string[] = [];
    d.on('talking', (id, on) => events.push(`${id}:${on}`));
    d.handleLevels([{ attendeeId: 'a', dBov: -40 }], 0);
    expect(events).toEqual([]);
    d.handleLevels([{ attendeeId: 'a', dBov: -20 }], 100);
    d.handleLevels([{ attendeeId: 'a', dBov: -20 }, { attendeeId: 'b', dBov: -25 }], 300);
    expect(events).toEqual(['a:true', 'b:true']);
    d.handleLevels([{ attendeeId: 'b', dBov: -25 }], 300 + TALKING_HANGOVER_MS - 1);
    expect(d.isTalking('a')).toBe(true);
    d.handleLevels([{ attendeeId: 'b', dBov: -25 }], 300 + TALKING_HANGOVER_MS);
    expect(events).toEqual(['a:true', 'b:true', 'a:false']);
    sensitivity.set('b', 1);
    d.handleLevels([{ attendeeId: 'b', dBov: -25 }], 2000);
    d.handleSilence();
    expect(events).toEqual(['a:true', 'b:true', 'a:false', 'b:false']);
  });
});
