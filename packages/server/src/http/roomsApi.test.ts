import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '@parley/protocol';
import { startParleyServer, type ParleyServer } from '../server.js';

describe('native rooms API: rooms, room tokens, project tokens', () => {
  let server: ParleyServer;
  let auth: string;
  const api = async (method: string, path: string, body?: unknown, authorization = auth) => {
    const res = await fetch(`${server.url}${path}`, { method, headers: { authorization, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
  /** Joins over raw signaling; resolves with the join reply. */
  const join = (token: string) => new Promise<Record<string, any>>((resolve, reject) => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/signaling`);
    ws.on('open', () => ws.send(JSON.stringify({ id: 1, method: 'join', params: { protocol: PROTOCOL_VERSION, token } })));
    ws.on('message', (d) => {
      const m = JSON.parse(String(d));
      if (m.id === 1) resolve(Object.assign(m, { ws }));
    });
    ws.on('error', reject);
  });

  beforeAll(async () => {
    server = await startParleyServer({ host: '127.0.0.1', port: 0, dataDir: ':memory:', logLevel: 'silent', rtc: { port: 0, workers: 1 } }, {}, {});
    auth = `Basic ${Buffer.from(`${server.config.apiKey}:${server.config.apiSecret}`).toString('base64')}`;
  });
  afterAll(() => server.close());

  it('creates a room once per name, with its settings', async () => {
    const created = await api('POST', '/api/rooms', { name: 'standup', display_name: 'Daily standup', layout: '2x2', meta: { team: 'a' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'standup', display_name: 'Daily standup', layout: '2x2', hide_video_muted: false, meta: { team: 'a' }, room_session_id: null });
    const again = await api('POST', '/api/rooms', { name: 'standup' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(created.body.id);
    expect((await api('GET', '/api/rooms/standup')).body.id).toBe(created.body.id);
    expect((await api('GET', `/api/rooms/${created.body.id}`)).body.name).toBe('standup');
  });

  it('refuses bad input and bad credentials with a clear code', async () => {
    expect(await api('POST', '/api/rooms', { name: 'has space' })).toMatchObject({ status: 400, body: { error: { code: 'invalid_params' } } });
    expect(await api('POST', '/api/rooms', { name: 'x', layout: '99x99' })).toMatchObject({ status: 400, body: { error: { code: 'invalid_params' } } });
    const badPerm = await api('POST', '/api/room_tokens', { room_name: 'standup', user_name: 'Eve', permissions: ['room.everything'] });
    expect(badPerm).toMatchObject({ status: 400, body: { error: { code: 'invalid_params' } } });
    expect(badPerm.body.error.message).toContain('permissions.0');
    expect(await api('POST', '/api/room_tokens', { room_name: 'nope', user_name: 'Eve', auto_create_room: false })).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
    expect(await api('GET', '/api/rooms/standup', undefined, 'Basic eDp5')).toMatchObject({ status: 401, body: { error: { code: 'unauthorized' } } });
    expect(await api('GET', '/api/rooms/missing')).toMatchObject({ status: 404 });
  });

  it('a room token joins as member or audience, with the room settings; lock refuses new joins', async () => {
    const member = await api('POST', '/api/room_tokens', { room_name: 'standup', user_name: 'Ann', permissions: ['room.lock', 'room.unlock'], meta: { seat: 1 } });
    expect(member.status).toBe(200);
    expect(member.body.signaling_url).toBe(`${server.url.replace('http', 'ws')}/signaling`);
    const a = await join(member.body.token);
    expect(a.result).toMatchObject({ attendeeId: member.body.member_id, role: 'member', permissions: ['room.lock', 'room.unlock'] });
    const audience = await api('POST', '/api/room_tokens', { room_name: 'standup', user_name: 'Bo', join_as: 'audience', media_allowed: 'audio-only', permissions: [] });
    const b = await join(audience.body.token);
    expect(b.result.role).toBe('audience');
    const state = await new Promise<Record<string, any>>((resolve) => {
      a.ws.on('message', (d: Buffer) => {
        const m = JSON.parse(String(d));
        if (m.id === 2) resolve(m.result);
      });
      a.ws.send(JSON.stringify({ id: 2, method: 'room.subscribe', params: {} }));
    });
    expect(state).toMatchObject({ name: 'standup', display_name: 'Daily standup', layout_name: '2x2', meta: { team: 'a' }, audience_count: 1, recording: false, streaming: false });
    // Previews are on by default: the URL names this room session's JPEG.
    expect(state.preview_url).toMatch(new RegExp(`^${server.url}/previews/${state.id}/[A-Za-z0-9_-]+\.jpg$`));
    expect(state.members.find((m: any) => m.name === 'Ann')).toMatchObject({ type: 'member', meta: { seat: 1 }, media_allowed: 'all', visible: true });
    expect(state.members.find((m: any) => m.name === 'Bo')).toMatchObject({ type: 'audience', media_allowed: 'audio-only', visible: false });
    expect((await api('GET', '/api/room_sessions')).body.data).toHaveLength(1);

    a.ws.send(JSON.stringify({ id: 3, method: 'room.lock', params: {} }));
    await new Promise((r) => setTimeout(r, 100));
    const late = await api('POST', '/api/room_tokens', { room_name: 'standup', user_name: 'Late' });
    const refused = await join(late.body.token);
    expect(refused).toMatchObject({ ok: false, error: { code: 'room_locked' } });
    a.ws.send(JSON.stringify({ id: 4, method: 'room.unlock', params: {} }));
    await new Promise((r) => setTimeout(r, 100));
    expect((await join((await api('POST', '/api/room_tokens', { room_name: 'standup', user_name: 'Later' })).body.token)).ok).toBe(true);
  });

  it('realtime: the API secret or a project token; anything else gets 401', async () => {
    const tryOpen = (token: string) => new Promise<number>((resolve) => {
      const ws = new WebSocket(`${server.url.replace('http', 'ws')}/api/realtime`, { headers: { authorization: `Basic ${Buffer.from(`${server.config.apiKey}:${token}`).toString('base64')}` } });
      ws.on('open', () => { ws.close(); resolve(101); });
      ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      ws.on('error', () => undefined);
    });
    expect(await tryOpen(server.config.apiSecret)).toBe(101);
    const project = await api('POST', '/api/project_tokens', { permissions: ['room.lock'] });
    expect(await tryOpen(project.body.token)).toBe(101);
    expect(await tryOpen('wrong')).toBe(401);
    expect(await api('POST', '/api/project_tokens', { permissions: ['nope'] })).toMatchObject({ status: 400 });
  });
});
