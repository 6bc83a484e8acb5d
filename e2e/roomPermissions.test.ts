import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { Video } from '@parley/server-sdk';
import { ROOM_METHODS } from '@parley/protocol';
import { waitFor } from './support/expectations.js';
import { useServerAndBrowser, type TestServer } from './support/harness.js';
import { ALL_PERMISSIONS, call, joinRoomFromBrowser, restClient, videoClient } from './support/rooms.js';
import { FREE, MATRIX, bind } from './support/roomMatrix.js';

/** The server's view of the room, minus what moves on its own (talking). */
function snapshot(server: TestServer, roomName: string): string {
  const control = server.rooms.controls.find((c) => c.room.session.name === roomName)!;
  const state = control.fullState();
  return JSON.stringify({ ...state, members: state.members.map((m) => ({ ...m, talking: undefined })) });
}

describe('permission matrix: every room method with and without its permission', () => {
  const env = useServerAndBrowser();
  const covered = new Set<string>();

  it('from a browser member: forbidden without the permission and nothing changes; allowed with it', async () => {
    const ROOM = 'matrix-browser';
    const join = (user: string, permissions: readonly string[]) => joinRoomFromBrowser(env, { room_name: ROOM, user_name: user, permissions: [...permissions] });
    const admin = await join('admin', ALL_PERMISSIONS);
    const nobody = await join('nobody', []);
    const target = await join('target', []);
    const victim = await join('victim', []);
    const ids = { $target: target.memberId, $victim: victim.memberId };

    for (const row of MATRIX) {
      const args = bind(row.args, ids);
      const before = snapshot(env.server, ROOM);
      const denied = await call(nobody.page, row.method, ...args);
      expect(denied, `${row.method} without ${row.permission}`).toMatchObject({ ok: false, code: 'forbidden' });
      expect(denied.message).toContain(row.permission);
      expect(snapshot(env.server, ROOM), `${row.method} refused changed nothing`).toBe(before);
      const allowed = await call(admin.page, row.method, ...args);
      if (row.outcome === 'media_error') expect(allowed, `${row.method} with ${row.permission}`).toMatchObject({ ok: false, code: 'media_error' });
      else expect(allowed, `${row.method} with ${row.permission}: ${allowed.message}`).toMatchObject({ ok: true });
      covered.add(row.method);
    }
    // The methods of RoomSessionRecording / Playback / Stream objects, on the wire: checked before
    // the object is looked up (the running recording is the one the startRecording row began).
    const raw = (page: Page, method: string, params: unknown) => page.evaluate(([m, p]) => (window as any).room.raw(m, p), [method, params] as const);
    const recordingId = (await call(admin.page, 'getRecordings')).result.recordings[0].id as string;
    const objectMethods: Array<[string, Record<string, unknown>, string, 'ok' | 'not_found']> = [
      ['room.recording.pause', { recordingId }, 'room.recording', 'ok'],
      ['room.recording.resume', { recordingId }, 'room.recording', 'ok'],
      ['room.recording.stop', { recordingId }, 'room.recording', 'ok'],
      ['room.playback.pause', { playbackId: 'playback-none' }, 'room.playback', 'not_found'],
      ['room.playback.resume', { playbackId: 'playback-none' }, 'room.playback', 'not_found'],
      ['room.playback.setVolume', { playbackId: 'playback-none', volume: -5 }, 'room.playback', 'not_found'],
      ['room.playback.seek', { playbackId: 'playback-none', position: 1000 }, 'room.playback', 'not_found'],
      ['room.playback.stop', { playbackId: 'playback-none' }, 'room.playback', 'not_found'],
      ['room.stream.stop', { streamId: 'none' }, 'room.stream', 'not_found'],
    ];
    for (const [method, params, permission, outcome] of objectMethods) {
      const denied = await raw(nobody.page, method, params);
      expect(denied, `${method} without ${permission}`).toMatchObject({ ok: false, code: 'forbidden' });
      const allowed = await raw(admin.page, method, params);
      expect(allowed, `${method} with ${permission}: ${allowed.message}`).toMatchObject(outcome === 'ok' ? { ok: true } : { ok: false, code: 'not_found' });
      covered.add(method.slice('room.'.length));
    }
    for (const row of FREE) {
      const r = await call(nobody.page, row.method, ...bind(row.args, ids));
      expect(r, `${row.method} needs no permission`).toMatchObject({ ok: true });
      covered.add(row.method);
    }
    // The allowed calls had their effect (a few spot checks of the final state).
    const members = (await call(nobody.page, 'getMembers')).result.members as Array<{ id: string; meta: unknown; input_sensitivity: number; type: string }>;
    const t = members.find((m) => m.id === target.memberId)!;
    expect(t).toMatchObject({ meta: { email: 'joe@example.com' }, input_sensitivity: 80, type: 'member' });
    expect(members.some((m) => m.id === victim.memberId)).toBe(false);
    expect((await call(nobody.page, 'getMeta')).result).toEqual({ meta: { baz: false, t: 10 } });

    // removeAllMembers: refused, then it ends the session for everyone.
    expect(await call(nobody.page, 'removeAllMembers')).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await call(admin.page, 'removeAllMembers')).toMatchObject({ ok: true });
    covered.add('removeAllMembers');
    await waitFor('the session ended', async () => (env.server.rooms.controls.some((c) => c.room.session.name === ROOM) ? undefined : true), 5000);
    for (const p of [admin, nobody, target] as Array<{ page: Page }>) await p.page.context().close();
  });

  it('from the server SDK: a project token with only that permission may; one with every other may not', async () => {
    const ROOM = 'matrix-sdk';
    const target = await joinRoomFromBrowser(env, { room_name: ROOM, user_name: 'target', permissions: [] });
    const victim = await joinRoomFromBrowser(env, { room_name: ROOM, user_name: 'victim', permissions: [] });
    const ids = { $target: target.memberId, $victim: victim.memberId };
    const rest = restClient(env.server);
    const clients: Video.Client[] = [];
    const sessionFor = async (permissions: string[]) => {
      const { token } = await rest.projectTokens.create({ permissions });
      const client = await videoClient(env.server, token);
      clients.push(client);
      const { roomSessions } = await client.getRoomSessionsInProgress();
      return roomSessions.find((s) => s.name === ROOM)!;
    };
    for (const row of MATRIX.filter((r) => !r.self)) {
      const args = bind(row.args, ids);
      const without = await sessionFor(ALL_PERMISSIONS.filter((p) => p !== row.permission));
      const before = snapshot(env.server, ROOM);
      const denied = await (without as any)[row.method](...args).then(() => ({ ok: true }), (e: any) => ({ ok: false, code: e.code, message: e.message }));
      expect(denied, `SDK ${row.method} without ${row.permission}`).toMatchObject({ ok: false, code: 'forbidden' });
      expect(snapshot(env.server, ROOM), `SDK ${row.method} refused changed nothing`).toBe(before);
      const withIt = await sessionFor([row.permission]);
      const allowed = await (withIt as any)[row.method](...args).then(() => ({ ok: true }), (e: any) => ({ ok: false, code: e.code, message: e.message }));
      if (row.outcome === 'media_error') expect(allowed, `SDK ${row.method}`).toMatchObject({ ok: false, code: 'media_error' });
      else expect(allowed, `SDK ${row.method} with only ${row.permission}: ${allowed.message}`).toMatchObject({ ok: true });
    }
    // A backend must name the member: "self" means nothing to it.
    const all = await sessionFor([...ALL_PERMISSIONS]);
    await expect(all.audioMute()).rejects.toMatchObject({ code: 'invalid_params' });
    // An unknown project token cannot connect at all.
    await expect(videoClient(env.server, 'not-a-token')).rejects.toMatchObject({ code: 'unauthorized' });
    const onlyRemove = await sessionFor(['room.member.remove']);
    await expect(sessionFor([]).then((s) => s.removeAllMembers())).rejects.toMatchObject({ code: 'forbidden' });
    await onlyRemove.removeAllMembers();
    for (const c of clients) c.disconnect();
    await target.page.context().close();
    // Every room method on the wire was exercised.
    expect(ROOM_METHODS.filter((m) => !covered.has(m.slice('room.'.length)))).toEqual([]);
  });
});
