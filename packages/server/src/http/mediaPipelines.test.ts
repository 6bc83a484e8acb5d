import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  BadRequestException,
  ChimeSDKMediaPipelinesClient,
  CreateMediaCapturePipelineCommand,
  DeleteMediaCapturePipelineCommand,
  DeleteMediaPipelineCommand,
  GetMediaCapturePipelineCommand,
  GetMediaPipelineCommand,
  ListMediaCapturePipelinesCommand,
  ListMediaPipelinesCommand,
  NotFoundException,
  UnauthorizedClientException,
  type CreateMediaCapturePipelineCommandInput,
  type MediaCapturePipeline,
} from '@aws-sdk/client-chime-sdk-media-pipelines';
import { ChimeSDKMeetingsClient, CreateAttendeeCommand, CreateMeetingCommand, DeleteMeetingCommand } from '@aws-sdk/client-chime-sdk-meetings';
import { PROTOCOL_VERSION } from '@parley/protocol';
import { startParleyServer, type ParleyServer } from '../server.js';

const API_KEY = 'parley-test-key';
const API_SECRET = 'parley-test-secret-0123456789';
const SINK = 'arn:aws:s3:::my-app-recordings/meetings';

/** A composited (grid view) recording, as the Chime docs' example asks for it. */
const COMPOSITED = {
  ArtifactsConfiguration: {
    Audio: { MuxType: 'AudioWithCompositedVideo' },
    Video: { State: 'Disabled' },
    Content: { State: 'Disabled' },
    CompositedVideo: { Layout: 'GridView', Resolution: 'HD', GridViewConfiguration: { ContentShareLayout: 'PresenterOnly' } },
  },
} as const;

describe('Chime SDK Media Pipelines API: capture pipelines record meetings (real AWS client)', () => {
  let server: ParleyServer;
  let dir: string;
  let meetings: ChimeSDKMeetingsClient;
  let pipelines: ChimeSDKMediaPipelinesClient;
  const sockets: WebSocket[] = [];

  const client = <C>(Ctor: new (config: object) => C, secret = API_SECRET): C =>
    new Ctor({ endpoint: server.url, region: 'us-east-1', credentials: { accessKeyId: API_KEY, secretAccessKey: secret }, maxAttempts: 1 });
  const newMeeting = async () => (await meetings.send(new CreateMeetingCommand({ ClientRequestToken: crypto.randomUUID(), MediaRegion: 'us-east-1', ExternalMeetingId: 'standup' }))).Meeting!.MeetingId!;
  const create = (meetingId: string, extra: Partial<CreateMediaCapturePipelineCommandInput> = {}) =>
    pipelines.send(new CreateMediaCapturePipelineCommand({
      SourceType: 'ChimeSdkMeeting', SourceArn: `arn:aws:chime::111122223333:meeting:${meetingId}`, SinkType: 'S3Bucket', SinkArn: SINK, ...extra,
    }));
  const get = async (id: string) => (await pipelines.send(new GetMediaCapturePipelineCommand({ MediaPipelineId: id }))).MediaCapturePipeline!;
  /** The raw JSON (the SDK drops Parley's extra fields). */
  const rawGet = async (id: string) => {
    const res = await fetch(`${server.url}/sdk-media-capture-pipelines/${id}`, { headers: { authorization: `Basic ${Buffer.from(`${API_KEY}:${API_SECRET}`).toString('base64')}` } });
    return (await res.json()).MediaCapturePipeline as Record<string, unknown>;
  };
  const waitFor = async (id: string, status: string, ms = 30_000): Promise<MediaCapturePipeline> => {
    const until = Date.now() + ms;
    for (;;) {
      const p = await get(id);
      if (p.Status === status) return p;
      if (Date.now() > until) throw new Error(`pipeline ${id} is ${p.Status}, not ${status}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  /** Joins an attendee over signaling (no media): the meeting's room goes live. */
  const joinMeeting = async (meetingId: string, user: string): Promise<WebSocket> => {
    const attendee = (await meetings.send(new CreateAttendeeCommand({ MeetingId: meetingId, ExternalUserId: user }))).Attendee!;
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/signaling`);
    sockets.push(ws);
    await new Promise<void>((resolve, reject) => {
      ws.on('open', () => ws.send(JSON.stringify({ id: 1, method: 'join', params: { protocol: PROTOCOL_VERSION, token: attendee.JoinToken } })));
      ws.on('message', (d) => {
        const m = JSON.parse(String(d)) as { id?: number; ok?: boolean; error?: unknown };
        if (m.id === 1) (m.ok ? resolve() : reject(new Error(`join refused: ${JSON.stringify(m.error)}`)));
      });
      ws.on('error', reject);
    });
    return ws;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-pipelines-'));
    server = await startParleyServer(
      { host: '127.0.0.1', port: 0, dataDir: ':memory:', logLevel: 'silent', apiKey: API_KEY, apiSecret: API_SECRET, rtc: { port: 0, workers: 1 }, media: { recordingsDir: dir, previews: false } },
      {},
      {},
    );
    meetings = client(ChimeSDKMeetingsClient);
    pipelines = client(ChimeSDKMediaPipelinesClient);
  });
  afterAll(async () => {
    for (const ws of sockets) ws.terminate();
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a pipeline created before anyone joined waits, records the composite once the room is live, and Delete finalises an MP4', async () => {
    const meetingId = await newMeeting();
    const created = (await create(meetingId, { ChimeSdkMeetingConfiguration: COMPOSITED })).MediaCapturePipeline!;
    expect(created).toMatchObject({
      SourceType: 'ChimeSdkMeeting', SourceArn: `arn:aws:chime::111122223333:meeting:${meetingId}`,
      SinkType: 'S3Bucket', SinkArn: SINK, Status: 'Initializing', ChimeSdkMeetingConfiguration: COMPOSITED,
    });
    const id = created.MediaPipelineId!;
    expect(created.MediaPipelineArn).toBe(`arn:aws:chime:${server.config.mediaRegion}:000000000000:media-pipeline/${id}`);
    expect(created.CreatedTimestamp).toBeInstanceOf(Date);
    expect(Math.abs(created.CreatedTimestamp!.getTime() - Date.now())).toBeLessThan(60_000);
    expect((await get(id)).Status).toBe('Initializing');

    await joinMeeting(meetingId, 'alice');
    const running = await waitFor(id, 'InProgress');
    expect(running.UpdatedTimestamp!.getTime()).toBeGreaterThanOrEqual(created.CreatedTimestamp!.getTime());
    const raw = await rawGet(id);
    const recordingId = raw.ParleyRecordingId as string;
    expect(raw.ParleyRecordingUri).toBe(`${server.url}/api/recordings/${recordingId}`);
    expect(server.media.recordingStore.getRecording(recordingId)).toMatchObject({ roomId: meetingId, mode: 'composite', state: 'recording', format: 'video/mp4' });
    expect(server.rooms.controlOf(meetingId)?.media.recording).toBe(true);

    await new Promise((r) => setTimeout(r, 2500));
    await pipelines.send(new DeleteMediaCapturePipelineCommand({ MediaPipelineId: id }));
    expect(['Stopping', 'Stopped']).toContain((await get(id)).Status);
    await waitFor(id, 'Stopped');
    const row = server.media.recordingStore.getRecording(recordingId)!;
    expect(row).toMatchObject({ state: 'completed', reason: null });
    expect(row.files).toHaveLength(1);
    expect(row.files[0]!.startsWith(dir)).toBe(true);
    expect(existsSync(row.files[0]!)).toBe(true);
    // A real MP4 of the empty room (black picture, silence) that lasts about as long as it ran.
    const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', row.files[0]!], { encoding: 'utf8' })) as {
      format: { format_name: string; duration: string }; streams: Array<{ codec_type: string; codec_name: string }>;
    };
    expect(probe.format.format_name).toContain('mp4');
    expect(probe.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
    expect(Number(probe.format.duration)).toBeGreaterThan(1);
    // The download of the recordings API serves the same file.
    const download = await fetch(`${server.url}/api/recordings/${recordingId}/download`, { headers: { authorization: `Basic ${Buffer.from(`${API_KEY}:${API_SECRET}`).toString('base64')}` } });
    expect(download.status).toBe(200);
    expect((await download.arrayBuffer()).byteLength).toBe(row.sizeInBytes);
    // Deleting again is harmless; the meeting goes on without a recording.
    await pipelines.send(new DeleteMediaCapturePipelineCommand({ MediaPipelineId: id }));
    expect(server.rooms.controlOf(meetingId)?.media.recording).toBe(false);
  }, 90_000);

  it('individual artifacts record the tracks; the pipeline stops when the room ends', async () => {
    const meetingId = await newMeeting();
    const ws = await joinMeeting(meetingId, 'bob');
    const created = (await create(meetingId, {
      ChimeSdkMeetingConfiguration: { ArtifactsConfiguration: { Audio: { MuxType: 'AudioOnly' }, Video: { State: 'Enabled', MuxType: 'VideoOnly' }, Content: { State: 'Enabled', MuxType: 'ContentOnly' } } },
    })).MediaCapturePipeline!;
    const id = created.MediaPipelineId!;
    await waitFor(id, 'InProgress');
    const recordingId = (await rawGet(id)).ParleyRecordingId as string;
    expect(server.media.recordingStore.getRecording(recordingId)).toMatchObject({ mode: 'tracks', state: 'recording' });
    ws.close();
    await waitFor(id, 'Stopped');
    expect(await rawGet(id)).toMatchObject({ Status: 'Stopped', ParleyStatusReason: 'room session ended' });
    expect(server.media.recordingStore.getRecording(recordingId)?.state).toBe('completed');
  }, 60_000);

  it('a recording that fails makes the pipeline Failed', async () => {
    const meetingId = await newMeeting();
    await joinMeeting(meetingId, 'carol');
    const id = (await create(meetingId, { ChimeSdkMeetingConfiguration: COMPOSITED })).MediaCapturePipeline!.MediaPipelineId!;
    await waitFor(id, 'InProgress');
    const pid = server.rooms.controlOf(meetingId)?.media.compositePid;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, 'SIGKILL');
    await waitFor(id, 'Failed');
    expect(String((await rawGet(id)).ParleyStatusReason)).toMatch(/^failed/);
  }, 60_000);

  it('a deleted meeting ends its waiting pipelines; the same ClientRequestToken gives the same pipeline', async () => {
    const meetingId = await newMeeting();
    const first = (await create(meetingId, { ClientRequestToken: 'token-0123456789' })).MediaCapturePipeline!;
    const again = (await create(meetingId, { ClientRequestToken: 'token-0123456789' })).MediaCapturePipeline!;
    expect(again.MediaPipelineId).toBe(first.MediaPipelineId);
    await meetings.send(new DeleteMeetingCommand({ MeetingId: meetingId }));
    expect(await rawGet(first.MediaPipelineId!)).toMatchObject({ Status: 'Stopped', ParleyStatusReason: 'the meeting was deleted' });
  });

  it('List, ListMediaPipelines, GetMediaPipeline and DeleteMediaPipeline have Chime\'s shapes and pages', async () => {
    const meetingId = await newMeeting();
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await create(meetingId)).MediaCapturePipeline!.MediaPipelineId!);
    const all = (await pipelines.send(new ListMediaCapturePipelinesCommand({}))).MediaCapturePipelines!;
    for (const id of ids) expect(all).toContainEqual({ MediaPipelineId: id, MediaPipelineArn: expect.stringContaining(`:media-pipeline/${id}`) });
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await pipelines.send(new ListMediaPipelinesCommand({ MaxResults: 2, NextToken: token }));
      expect(page.MediaPipelines!.length).toBeLessThanOrEqual(2);
      seen.push(...page.MediaPipelines!.map((p) => p.MediaPipelineId!));
      token = page.NextToken;
    } while (token);
    expect(seen).toEqual(all.map((p) => p.MediaPipelineId));
    const viaGeneric = (await pipelines.send(new GetMediaPipelineCommand({ MediaPipelineId: ids[0] }))).MediaPipeline!;
    expect(viaGeneric.MediaCapturePipeline).toMatchObject({ MediaPipelineId: ids[0], Status: 'Initializing', SinkArn: SINK });
    await pipelines.send(new DeleteMediaPipelineCommand({ MediaPipelineId: ids[0] }));
    expect((await get(ids[0]!)).Status).toBe('Stopped');
    await expect(pipelines.send(new ListMediaCapturePipelinesCommand({ MaxResults: 0 }))).rejects.toBeInstanceOf(BadRequestException);
    await expect(pipelines.send(new ListMediaCapturePipelinesCommand({ NextToken: 'not-a-token' }))).rejects.toBeInstanceOf(BadRequestException);
  });

  it('bad input and unknown ids get Chime\'s typed exceptions', async () => {
    const meetingId = await newMeeting();
    await expect(pipelines.send(new DeleteMediaCapturePipelineCommand({ MediaPipelineId: 'no-such-pipeline' }))).rejects.toBeInstanceOf(NotFoundException);
    await expect(pipelines.send(new GetMediaCapturePipelineCommand({ MediaPipelineId: 'no-such-pipeline' }))).rejects.toBeInstanceOf(NotFoundException);
    await expect(pipelines.send(new GetMediaPipelineCommand({ MediaPipelineId: 'no-such-pipeline' }))).rejects.toBeInstanceOf(NotFoundException);
    const badArn = create(meetingId, { SourceArn: `arn:aws:s3:::${meetingId}` });
    await expect(badArn).rejects.toBeInstanceOf(BadRequestException);
    await expect(badArn).rejects.toThrow(/SourceArn: must be a meeting ARN/);
    await expect(create(meetingId, { SinkArn: 'arn:aws:sqs:us-east-1:1:queue' })).rejects.toBeInstanceOf(BadRequestException);
    await expect(create(meetingId, { SinkType: 'Kinesis' as never })).rejects.toBeInstanceOf(BadRequestException);
    await expect(create(meetingId, { ChimeSdkMeetingConfiguration: { ArtifactsConfiguration: { Audio: { MuxType: 'Loud' as never } } as never } })).rejects.toThrow(/Audio\.MuxType/);
    await expect(create('6c1f5e2e-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(NotFoundException);
    await expect(client(ChimeSDKMediaPipelinesClient, 'wrong-secret-0123456789').send(new ListMediaPipelinesCommand({}))).rejects.toBeInstanceOf(UnauthorizedClientException);
    // Raw garbage is a BadRequest too, never a crash.
    const res = await fetch(`${server.url}/sdk-media-capture-pipelines`, {
      method: 'POST', body: '{"SourceType": [', headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${API_KEY}:${API_SECRET}`).toString('base64')}` },
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('BadRequestException');
  });
});
