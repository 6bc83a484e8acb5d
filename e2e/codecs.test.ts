import { describe, expect, it } from 'vitest';
import { expectColour, waitFor } from './support/expectations.js';
import { createMeeting, joinFromBrowser, useServerAndBrowser } from './support/harness.js';

describe('video codecs', () => {
  const env = useServerAndBrowser();

  it('an H.264 publisher and a VP8 publisher each decode the other', async () => {
    const meeting = await createMeeting(env.server, 'codecs');
    const parties = [
      { name: 'h264', colour: '#d000d0', rgb: [208, 0, 208] as [number, number, number], videoCodec: 'H264' },
      { name: 'vp8', colour: '#d0d000', rgb: [208, 208, 0] as [number, number, number], videoCodec: 'VP8' },
    ];
    const joined = [];
    for (const p of parties) {
      joined.push({ ...p, ...(await joinFromBrowser(env, meeting, `user-${p.name}`, { colour: p.colour, videoCodec: p.videoCodec as 'VP8' | 'H264' })) });
    }
    // The server forwards what each sent: check the producers' codecs.
    const room = env.server.rooms.get(meeting.meetingId)!;
    for (const p of joined) {
      const producer = [...room.member(p.attendeeId)!.peer.producers.values()].find((x) => x.kind === 'video')!;
      expect(producer.rtpParameters.codecs[0]!.mimeType).toBe(`video/${p.videoCodec}`);
    }
    const [first, second] = joined as [typeof joined[number], typeof joined[number]];
    for (const [me, other] of [[first, second], [second, first]] as const) {
      const got = await waitFor(`${me.name} decodes ${other.name}`, async () => {
        const r = await me.page.evaluate(() => (window as any).harness.received());
        return r[other.attendeeId]?.video?.width ? r[other.attendeeId].video : undefined;
      }, 20_000);
      expectColour(got, other.rgb, `${me.name} sees ${other.name} (${other.videoCodec})`);
    }
  });
});
