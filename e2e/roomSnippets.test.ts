import { afterAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { Video } from '@parley/server-sdk';
import { waitFor } from './support/expectations.js';
import { useServerAndBrowser } from './support/harness.js';
import { ALL_PERMISSIONS, joinRoomFromBrowser } from './support/rooms.js';

/**
 * The example snippets of the SignalWire RoomSession reference (shared/spec), run against
 * Parley. Each is the reference's text; what changes: the example member ids become real ones
 * (the snippets say "you can get this from getMembers()"), and two syntax slips of the reference
 * are fixed (a missing comma in setMemberMeta, a missing ")" in the member.updated example).
 */
const FAKE_IDS: Array<[string, string]> = [
  ['de550c0c-3fac-4efd-b06f-b5b8614b8966', '$mark'],
  ['de550c0c-3fac-4efd-b06f-b5b86...', '$mark'],
  ['1bf4d4fb-a3e4-4d46-80a8-3ebfdceb2a60', '$mark'],
  ['e0c5be44-d6c7-438f-8cda-f859a1a0b1e7', '$david'],
  ['memberId: "..."', 'memberId: "$mark"'],
];

const SNIPPETS: Record<string, string> = {
  audioMute: `const id = "de550c0c-3fac-4efd-b06f-b5b8614b8966"; // you can get this from getMembers()
await roomSession.audioMute({ memberId: id });`,
  audioUnmute: `const id = "de550c0c-3fac-4efd-b06f-b5b8614b8966"; // you can get this from getMembers()
await roomSession.audioUnmute({ memberId: id });`,
  deaf: `const id = "de550c0c-3fac-4efd-b06f-b5b8614b8966"; // you can get this from getMembers()
await roomSession.deaf({ memberId: id });`,
  undeaf: `const id = "de550c0c-3fac-4efd-b06f-b5b8614b8966"; // you can get this from getMembers()
await roomSession.undeaf({ memberId: id });`,
  deleteMemberMeta: `roomSession.on("member.updated", (e) => {
// We can set an event listener to log changes to the metadata.
console.log(e.member.meta);
});
await roomSession.setMemberMeta({
memberId: "...",
meta: { foo: "bar", baz: true },
});
// The logger will now print \`{ foo: "bar", baz: true }\`
await roomSession.deleteMemberMeta({ memberId: "...", keys: ["foo"] });
// The logger will now print \`{ baz: true }\``,
  deleteMeta: `roomSession.on("room.updated", (e) => {
// We can set an event listener to log changes to the metadata.
console.log(e.room.meta);
});
await roomSession.setMeta({ foo: "bar", baz: true });
// The logger will now print \`{ foo: "bar", baz: true }\`
await roomSession.deleteMeta(["foo"]);
// The logger will now print \`{ baz: true }\``,
  demote: `await roomSession.demote({
memberId: "de550c0c-3fac-4efd-b06f-b5b8614b8966",
mediaAllowed: "all",
});`,
  promote: `await roomSession.promote({
memberId: "de550c0c-3fac-4efd-b06f-b5b8614b8966",
mediaAllowed: "all",
permissions: [
"room.self.audio_mute",
"room.self.audio_unmute",
"room.self.video_mute",
"room.self.video_unmute",
"room.list_available_layouts",
],
});`,
  getLayouts: `return await roomSession.getLayouts()`,
  getMembers: `return await roomSession.getMembers()`,
  getMemberMeta: `const { meta } = await roomSession.getMemberMeta();
console.log(meta);`,
  getMeta: `const { meta } = await roomSession.getMeta();
console.log(meta);`,
  getPlaybacks: `const pl = await roomSession.getPlaybacks();
if (pl.playbacks.length > 0) {
console.log(rec.playbacks[0].id, recs.playbacks[0].state);
}`,
  getRecordings: `const recs = await roomSession.getRecordings();
if (recs.recordings.length > 0) {
console.log(recs.recordings[0].id, recs.recordings[0].duration);
}`,
  getStreams: `const s = await roomSession.getStreams();
for (const stream of s.streams) {
console.log(stream.id, stream.url);
}`,
  lock: `await roomSession.lock();`,
  unlock: `await roomSession.unlock();`,
  setHideVideoMuted: `await roomSession.setHideVideoMuted(false);`,
  setInputSensitivity: `const id = "de550c0c-3fac-4efd-b06f-b5b8614b8966"; // you can get this from getMembers()
await roomSession.setInputSensitivity({ memberId: id, value: 80 });`,
  setInputVolume: `const id = "de550c0c-3fac-4efd-b06f-b5b8614b8966"; // you can get this from getMembers()
await roomSession.setInputVolume({ memberId: id, volume: -10 });`,
  setOutputVolume: `const id = "de550c0c-3fac-4efd-b06f-b5b8614b8966"; // you can get this from getMembers()
await roomSession.setOutputVolume({ memberId: id, volume: -10 });`,
  setLayout: `await roomSession.setLayout({ name: "6x6" });`,
  setMemberMeta: `await roomSession.setMemberMeta({
memberId: 'de550c0c-3fac-4efd-b06f-b5b8614b8966', // you can get this from getMembers()
meta: {
email: 'joe@example.com'
}
})`,
  setMemberPosition: `await roomSession.setMemberPosition({
memberId: "1bf4d4fb-a3e4-4d46-80a8-3ebfdceb2a60",
position: "off-canvas",
});`,
  setMeta: `await roomSession.setMeta({ foo: "bar" });`,
  setPositions: `await roomSession.setPositions({
positions: {
"1bf4d4fb-a3e4-4d46-80a8-3ebfdceb2a60": "reserved-1",
"e0c5be44-d6c7-438f-8cda-f859a1a0b1e7": "auto"
},
});`,
  setPrioritizeHandraise: `await room.setPrioritizeHandraise(false)`,
  setRaisedHand: `await room.setRaisedHand({
memberId: "de550c0c-3fac-4efd-b06f-b5b86...",
raised: false
});`,
  updateMemberMeta: `roomSession.on("member.updated", (e) => {
// We can set an event listener to log changes to the metadata.
console.log(e.member.meta);
});
await roomSession.setMemberMeta({
memberId: "...",
meta: { foo: "bar", baz: true },
});
// The logger will now print \`{ foo: "bar", baz: true }\`
await roomSession.updateMemberMeta({
memberId: "...",
meta: { baz: false, t: 10 },
});
// The logger will now print \`{ foo: "bar", baz: false, t: 10 }\``,
  updateMeta: `roomSession.on("room.updated", (e) => {
// We can set an event listener to log changes to the metadata.
console.log(e.room.meta);
});
await roomSession.setMeta({ foo: "bar", baz: true });
// The logger will now print \`{ foo: "bar", baz: true }\`
await roomSession.updateMeta({ baz: false, t: 10 });
// The logger will now print \`{ foo: "bar", baz: false, t: 10 }\``,
  videoMute: `const id = "de550c0c-3fac-4efd-b06f-b5b8614b8966"; // you can get this from getMembers()
await roomSession.videoMute({ memberId: id });`,
  videoUnmute: `const id = "de550c0c-3fac-4efd-b06f-b5b8614b8966"; // you can get this from getMembers()
await roomSession.videoUnmute({ memberId: id });`,
  memberUpdated: `roomSession.on('member.updated', (member) => {
console.log(member.updated)
// [ 'audioMuted' ]
})
await roomSession.audioMute({ memberId: "de550c0c-3fac-4efd-b06f-b5b8614b8966" })`,
  startRecording: `const rec = await roomSession.startRecording();
await rec.stop();`,
  play: `const playback = await roomSession.play({ url: "rtmp://example.com/foo" });
await playback.stop();`,
  startStream: `const stream = await roomSession.startStream({ url: "rtmp://example.com" });
// Stop the stream after 60 seconds
setTimeout(() => stream.stop(), 60000);`,
  removeMember: `const id = "de550c0c-3fac-4efd-b06f-b5b8614b8966"; // you can get this from getMembers()
await roomSession.removeMember({ memberId: id });`,
  removeAllMembers: `await roomSession.removeAllMembers();`,
};

/** Runs one snippet in the page with a fresh listener set; returns what it logged and returned, or its error. */
async function run(page: Page, name: string, ids: Record<string, string>): Promise<{ logs: unknown[][]; result?: unknown; error?: { code: string; message: string } }> {
  let code = SNIPPETS[name]!;
  for (const [fake, placeholder] of FAKE_IDS) code = code.replaceAll(fake, placeholder);
  for (const [placeholder, id] of Object.entries(ids)) code = code.replaceAll(placeholder, id);
  return page.evaluate(async (src) => {
    const rs = (window as any).roomSession;
    rs.removeAllListeners();
    const logs: unknown[][] = [];
    const logger = { log: (...args: unknown[]) => logs.push(JSON.parse(JSON.stringify(args))) };
    // eslint-disable-next-line no-new-func
    const fn = new Function('roomSession', 'room', 'console', `return (async () => {\n${src}\n})()`);
    try {
      const result = await fn(rs, rs, logger);
      await new Promise((r) => setTimeout(r, 300)); // let the events the snippet listens for arrive
      return { logs, result: JSON.parse(JSON.stringify(result ?? null)) };
    } catch (err: any) {
      return { logs, error: { code: err.code, message: String(err.message) } };
    }
  }, code);
}

describe('the reference\'s example snippets, run against Parley', () => {
  const env = useServerAndBrowser();
  let video: Video.Client | undefined;
  afterAll(() => video?.disconnect());

  it('Video.Client: room.started hands over a RoomSession; subscribe() gives the full state', async () => {
    process.env.PARLEY_URL = env.server.url;
    const logged: unknown[][] = [];
    const console = { log: (...args: unknown[]) => logged.push(args) };
    // --- reference snippet (project and token are this server's API key and secret) ---
    video = new Video.Client({
      project: env.server.config.apiKey,
      token: env.server.config.apiSecret,
    });
    video.on("room.started", async (roomSession) => {
      console.log("This is my RoomSession object:", roomSession);
    });
    // --- subscribe() snippet; "client" is what SignalWire's createClient() returns ---
    const client = { video };
    client.video.on('room.started', async (roomSession) => {
      // attach event listeners...
      // roomSession.on(...)
      // This gives you the full state of the room session!
      const roomSessionState = await roomSession.subscribe()
      console.log('room name:', roomSessionState.name)
      console.log('members:', roomSessionState.members)
    });
    await video.connect();
    await joinRoomFromBrowser(env, { room_name: 'snippets', user_name: 'Mod', permissions: [...ALL_PERMISSIONS] });
    await waitFor('both room.started handlers ran', async () => (logged.length >= 3 ? true : undefined), 5000);
    expect(logged[0]![0]).toBe('This is my RoomSession object:');
    expect(logged[0]![1]).toBeInstanceOf(Video.RoomSession);
    expect(logged.find((l) => l[0] === 'room name:')![1]).toBe('snippets');
    expect((logged.find((l) => l[0] === 'members:')![1] as Array<{ name: string }>).map((m) => m.name)).toContain('Mod');
  });

  it('every RoomSession method snippet, in a browser member with the permissions', async () => {
    const page = (await env.browser.contexts()[0]!.pages())[0]!;
    const mark = await joinRoomFromBrowser(env, { room_name: 'snippets', user_name: 'Mark', permissions: [] });
    const david = await joinRoomFromBrowser(env, { room_name: 'snippets', user_name: 'David', permissions: [] });
    const ids = { $mark: mark.memberId, $david: david.memberId };
    const ok = async (name: string) => {
      const r = await run(page, name, ids);
      expect(r.error, `${name}: ${r.error?.message}`).toBeUndefined();
      return r;
    };

    expect((await ok('getLayouts')).result).toMatchObject({ layouts: expect.arrayContaining(['8x8', '2x1', '1x1', '5up', '5x5', '4x4', '10x10', '2x2', '6x6', '3x3', 'grid-responsive', 'highlight-1-responsive']) });
    const members = (await ok('getMembers')).result as { members: Array<Record<string, unknown>> };
    expect(members.members.find((m) => m.name === 'Mark')).toMatchObject({
      visible: true, room_session_id: expect.any(String), input_volume: 0, id: mark.memberId, input_sensitivity: 30, output_volume: 0,
      audio_muted: false, name: 'Mark', deaf: false, video_muted: false, room_id: expect.any(String), type: 'member',
    });
    for (const name of ['audioMute', 'audioUnmute', 'deaf', 'undeaf', 'videoMute', 'videoUnmute', 'setInputSensitivity', 'setInputVolume', 'setOutputVolume', 'lock', 'unlock', 'setHideVideoMuted', 'setLayout', 'setMemberPosition', 'setPositions', 'setPrioritizeHandraise', 'setRaisedHand', 'setMeta', 'setMemberMeta']) await ok(name);
    const state = (await run(page, 'getMembers', ids)).result as { members: Array<Record<string, unknown>> };
    expect(state.members.find((m) => m.id === mark.memberId)).toMatchObject({ input_sensitivity: 80, input_volume: -10, output_volume: -10, meta: { email: 'joe@example.com' }, requested_position: 'reserved-1' });
    // 6x6 has no reserved slot, so Mark is placed automatically until a layout with one is set.
    expect(state.members.find((m) => m.id === david.memberId)).toMatchObject({ requested_position: 'auto' });

    // The metadata snippets print what their comments say.
    expect((await ok('deleteMeta')).logs).toEqual([[{ foo: 'bar', baz: true }], [{ baz: true }]]);
    expect((await ok('updateMeta')).logs).toEqual([[{ foo: 'bar', baz: true }], [{ foo: 'bar', baz: false, t: 10 }]]);
    expect((await ok('deleteMemberMeta')).logs).toEqual([[{ foo: 'bar', baz: true }], [{ baz: true }]]);
    expect((await ok('updateMemberMeta')).logs).toEqual([[{ foo: 'bar', baz: true }], [{ foo: 'bar', baz: false, t: 10 }]]);
    expect((await ok('getMeta')).logs).toEqual([[{ foo: 'bar', baz: false, t: 10 }]]);
    expect((await ok('getMemberMeta')).logs).toEqual([[{}]]);
    expect((await ok('memberUpdated')).logs).toEqual([['audioMuted']].map((u) => [u]));
    await ok('getRecordings');
    await ok('getPlaybacks');
    await ok('getStreams');
    // startRecording records for real and stops; the snippets' example.com URLs cannot be reached
    // from this machine, so play and startStream fail with media_error after the permission check.
    expect((await run(page, 'startRecording', ids)).error).toBeUndefined();
    for (const name of ['play', 'startStream']) {
      expect((await run(page, name, ids)).error, name).toMatchObject({ code: 'media_error' });
    }
    await ok('demote');
    await waitFor('Mark is audience', async () => ((await mark.page.evaluate(() => (window as any).room.self())).type === 'audience' ? true : undefined), 5000);
    await ok('promote');
    await waitFor('Mark is a member again', async () => ((await mark.page.evaluate(() => (window as any).room.self())).type === 'member' ? true : undefined), 5000);
    await ok('removeMember');
    await waitFor('Mark was removed', async () => ((await mark.page.evaluate(() => (window as any).room.events())).some((e: { name: string }) => e.name === 'room.left') ? true : undefined), 5000);
    await ok('removeAllMembers');
    await waitFor('David saw the room end', async () => ((await david.page.evaluate(() => (window as any).room.events())).some((e: { name: string }) => e.name === 'room.ended') ? true : undefined), 5000);
  });
});
