import { assertNotEncrypted } from '../e2eeGuard.js';
import { randomUUID } from 'node:crypto';
import { isAbsolute } from 'node:path';
import type { types } from 'mediasoup';
import { ErrorCode, PLAYBACK_ID_PREFIX, type PlaybackEntity } from '@parley/protocol';
import { ParleyError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { PlainSource } from '../../sfu/plainEndpoints.js';
import type { SfuRoom } from '../../sfu/sfuRoom.js';
import { Player, playerRtpParameters } from './player.js';

/** What playbacks need of the room (RoomControl gives it; media does not import rooms). */
export interface PlaybackRoom {
  readonly roomSessionId: string;
  readonly roomId: string;
  readonly sfu: SfuRoom;
  /** Throws invalid_params for a layout or positions the room would refuse ("self" = the playback). */
  checkPlacement(params: { layout?: string | undefined; positions?: Record<string, string> | undefined }): void;
  /** Puts the playback in the room: every member receives it, the layout places it. */
  addSource(id: string, producers: types.Producer[], placement: { layout?: string | undefined; positions?: Record<string, string> | undefined }): Promise<void>;
  removeSource(id: string): void;
  /** A paused playback's video is hidden like a muted member's. */
  setSourcePaused(id: string, paused: boolean): void;
}

export interface RoomPlaybacksOptions {
  room: PlaybackRoom;
  logger: Logger;
  emit: (event: 'playback.started' | 'playback.updated' | 'playback.ended', playback: PlaybackEntity) => void;
}

export interface PlayParams {
  url: string;
  seekPosition?: number | undefined;
  positions?: Record<string, string> | undefined;
  layout?: string | undefined;
  volume?: number | undefined;
}

interface Playback {
  entity: PlaybackEntity;
  player: Player;
  sources: PlainSource[];
  /** One control at a time. */
  busy: Promise<unknown>;
}

const SSRC = { audio: 1111, video: 2222 } as const;
const PT = { audio: 100, video: 101 } as const;

/**
 * Playbacks of one room session: a URL decoded and re-encoded by a player engine, sent into the
 * SFU as producers of a non-member source, so every participant (both SDK faces) receives it and
 * the room's layout and composite place it like a member.
 */
export class RoomPlaybacks {
  readonly #o: RoomPlaybacksOptions;
  readonly #log: Logger;
  readonly #playbacks = new Map<string, Playback>();
  readonly #ended: PlaybackEntity[] = [];

  constructor(options: RoomPlaybacksOptions) {
    this.#o = options;
    this.#log = options.logger;
  }

  list(): PlaybackEntity[] {
    return [...this.#ended, ...[...this.#playbacks.values()].map((p) => this.#snapshot(p))];
  }

  async play(params: PlayParams): Promise<PlaybackEntity> {
    const url = checkUrl(params.url);
    const { room } = this.#o;
    assertNotEncrypted(room.sfu, 'playback into the room');
    room.checkPlacement(params);
    const id = `${PLAYBACK_ID_PREFIX}${randomUUID()}`;
    const sources = await Promise.all([room.sfu.openPlainSource('audio'), room.sfu.openPlainSource('video')]);
    const [audio, video] = sources;
    let player: Player | undefined;
    try {
      player = await Player.open({
        url, audioPort: audio.port, videoPort: video.port,
        audioSsrc: SSRC.audio, videoSsrc: SSRC.video, audioPt: PT.audio, videoPt: PT.video,
        logger: this.#log.child({ playbackId: id }),
      });
      const producers: types.Producer[] = [];
      const used: PlainSource[] = [];
      for (const [kind, source] of [['audio', audio], ['video', video]] as const) {
        if (!player.info.sending.includes(kind)) {
          source.close();
          continue;
        }
        const rtp = playerRtpParameters(kind, player);
        producers.push(await source.produce(kind, rtp, { attendeeId: id, source: kind === 'audio' ? 'microphone' : 'camera', ...(kind === 'video' && player.info.width ? { width: player.info.width, height: player.info.height } : {}) }));
        used.push(source);
      }
      const now = Date.now() / 1000;
      const entity: PlaybackEntity = {
        id, room_id: room.roomId, room_session_id: room.roomSessionId, url: params.url, state: 'playing', position: params.seekPosition ?? 0,
        seekable: player.info.seekable, volume: params.volume ?? 0, started_at: now, ended_at: null,
      };
      const playback: Playback = { entity, player, sources: used, busy: Promise.resolve() };
      this.#playbacks.set(id, playback);
      this.#watch(playback);
      if (params.volume) await player.setVolume(params.volume);
      if (params.seekPosition && player.info.seekable) await player.seek(params.seekPosition);
      await room.addSource(id, producers, params);
      await player.play();
      await player.requestKeyFrame();
      this.#log.info({ playbackId: id, url: redact(params.url), kinds: producers.map((p) => p.kind) }, 'playback started');
      this.#o.emit('playback.started', this.#snapshot(playback));
      return this.#snapshot(playback);
    } catch (err) {
      for (const s of sources) s.close();
      this.#playbacks.delete(id);
      room.removeSource(id);
      await player?.stop().catch(() => undefined);
      throw err;
    }
  }

  pause(id: string): Promise<void> {
    return this.#control(id, async (p) => {
      if (p.entity.state !== 'playing') return;
      await p.player.pause();
      p.entity.state = 'paused';
      this.#o.room.setSourcePaused(id, true);
    });
  }

  resume(id: string): Promise<void> {
    return this.#control(id, async (p) => {
      if (p.entity.state !== 'paused') return;
      await p.player.resume();
      await p.player.requestKeyFrame();
      p.entity.state = 'playing';
      this.#o.room.setSourcePaused(id, false);
    });
  }

  setVolume(id: string, volume: number): Promise<void> {
    return this.#control(id, async (p) => {
      await p.player.setVolume(volume);
      p.entity.volume = volume;
    });
  }

  /** Absolute (position) or relative (delta) seek; returns the new position. */
  async seek(id: string, target: { position?: number | undefined; delta?: number | undefined }): Promise<number> {
    let position = 0;
    await this.#control(id, async (p) => {
      if (!p.entity.seekable) throw new ParleyError(ErrorCode.InvalidParams, 'this playback is live: it cannot seek');
      const to = target.position ?? Math.max(0, p.player.position + (target.delta ?? 0));
      await p.player.seek(to);
      await p.player.requestKeyFrame();
      p.entity.position = position = p.player.position;
    }, true);
    return position;
  }

  async stop(id: string): Promise<void> {
    const p = this.#get(id);
    await (p.busy = p.busy.then(() => this.#end(p, 'stopped')));
  }

  async close(): Promise<void> {
    await Promise.all([...this.#playbacks.values()].map((p) => this.#end(p, 'room session ended')));
  }

  #watch(p: Playback): void {
    p.player.on('position', (ms) => (p.entity.position = ms));
    p.player.on('ended', () => void this.#end(p, 'ended'));
    p.player.on('error', (err) => void this.#end(p, `failed: ${err.message}`));
    p.player.on('exit', ({ expected }) => {
      if (!expected) void this.#end(p, 'failed: the player engine stopped');
    });
  }

  async #control(id: string, fn: (p: Playback) => Promise<void>, alwaysAnnounce = false): Promise<void> {
    const p = this.#get(id);
    const run = p.busy.then(async () => {
      if (!this.#playbacks.has(id)) throw new ParleyError(ErrorCode.InvalidParams, `playback ${id} has ended`);
      const before = JSON.stringify([p.entity.state, p.entity.volume]);
      await fn(p);
      if (alwaysAnnounce || before !== JSON.stringify([p.entity.state, p.entity.volume])) this.#o.emit('playback.updated', this.#snapshot(p));
    });
    p.busy = run.catch(() => undefined);
    await run;
  }

  async #end(p: Playback, reason: string): Promise<void> {
    const id = p.entity.id;
    if (!this.#playbacks.has(id)) return;
    this.#playbacks.delete(id);
    this.#o.room.removeSource(id);
    for (const s of p.sources) s.close();
    await p.player.stop().catch(() => undefined);
    p.entity.state = 'completed';
    p.entity.ended_at = Date.now() / 1000;
    if (reason !== 'stopped' && reason !== 'ended') p.entity.reason = reason;
    const done = this.#snapshot(p);
    this.#ended.push(done);
    this.#log.info({ playbackId: id, reason }, 'playback ended');
    this.#o.emit('playback.ended', done);
  }

  #get(id: string): Playback {
    const p = this.#playbacks.get(id);
    if (p) return p;
    if (this.#ended.some((e) => e.id === id)) throw new ParleyError(ErrorCode.InvalidParams, `playback ${id.slice(0, 80)} has ended`);
    throw new ParleyError(ErrorCode.NotFound, `no playback ${id.slice(0, 80)} in this room session`);
  }

  #snapshot(p: Playback): PlaybackEntity {
    return { ...p.entity, position: this.#playbacks.has(p.entity.id) ? p.player.position : p.entity.position };
  }
}

/** file paths (absolute), file://, http(s)://, rtmp(s)://; anything else is refused before any work. */
function checkUrl(url: string): string {
  if (isAbsolute(url)) return url;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ParleyError(ErrorCode.InvalidParams, 'url must be an absolute file path or a file, http(s) or rtmp(s) URL');
  }
  if (!['file:', 'http:', 'https:', 'rtmp:', 'rtmps:'].includes(parsed.protocol)) {
    throw new ParleyError(ErrorCode.InvalidParams, `url scheme ${parsed.protocol.slice(0, 16)} is not supported: use file, http(s) or rtmp(s)`);
  }
  return url;
}

function redact(url: string): string {
  return url.replace(/\?.*$/, '?…');
}
