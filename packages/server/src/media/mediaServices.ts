import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ErrorCode } from '@parley/protocol';
import type { Config } from '../config/config.js';
import { ParleyError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { RecordingStore } from '../store/types.js';
import { ENGINE_PYTHON } from './engine/engineProcess.js';
import type { RoomPreview } from './preview/roomPreview.js';
import { RoomMedia, type MediaRoom } from './roomMedia.js';

/**
 * The server's media services: where recordings and previews go, which rooms have a preview,
 * and whether the media engine (GStreamer through Python GI) can run on this machine at all.
 */
export class MediaServices {
  readonly config: Config['media'];
  readonly recordingStore: RecordingStore;
  readonly recordingsDir: string;
  readonly previewsDir: string;
  readonly #log: Logger;
  readonly #previews = new Map<string, RoomPreview>();
  /** Where clients reach this server (previewUrl is absolute); set once the server listens. */
  baseUrl = '';
  #available: { ok: true } | { ok: false; why: string } | undefined;

  constructor(config: Config, recordingStore: RecordingStore, logger: Logger) {
    this.config = config.media;
    this.recordingStore = recordingStore;
    this.#log = logger;
    const base = config.dataDir === ':memory:' ? join(tmpdir(), `parley-${process.pid}`) : config.dataDir;
    this.recordingsDir = resolve(config.media.recordingsDir ?? join(base, 'recordings'));
    this.previewsDir = join(tmpdir(), `parley-previews-${process.pid}`);
    mkdirSync(this.previewsDir, { recursive: true });
    // A server that died mid-recording left rows saying "recording": their files play up to the crash.
    for (const r of recordingStore.listRecordings({})) {
      if (r.state === 'completed') continue;
      recordingStore.putRecording({ ...r, state: 'completed', endedAt: r.endedAt ?? Date.now(), reason: 'failed: the server stopped during the recording' });
    }
  }

  forRoom(room: MediaRoom): RoomMedia {
    return new RoomMedia(room, this, this.#log.child({ roomSessionId: room.roomSessionId }));
  }

  /** Throws not_available when this machine has no media engine (say which package is missing). */
  assertAvailable(): void {
    this.#available ??= this.#probe();
    if (!this.#available.ok) throw new ParleyError(ErrorCode.NotAvailable, `media services are not available on this server: ${this.#available.why}`);
  }

  registerPreview(roomSessionId: string, preview: RoomPreview): void {
    this.#previews.set(roomSessionId, preview);
  }

  unregisterPreview(roomSessionId: string): void {
    this.#previews.delete(roomSessionId);
  }

  /** The preview JPEG's path for a URL's session and token, when both match and it exists. */
  previewFile(roomSessionId: string, token: string): string | undefined {
    const preview = this.#previews.get(roomSessionId);
    if (!preview || preview.token !== token || !existsSync(preview.path)) return undefined;
    return preview.path;
  }

  /** The room session's previewUrl: null when previews are off. */
  previewUrl(roomSessionId: string): string | null {
    const preview = this.#previews.get(roomSessionId);
    return preview ? `${this.baseUrl.replace(/\/$/, '')}/previews/${roomSessionId}/${preview.token}.jpg` : null;
  }

  #probe(): { ok: true } | { ok: false; why: string } {
    const check = "import gi; gi.require_version('Gst', '1.0'); from gi.repository import Gst; Gst.init(None); " +
      "missing = [e for e in ('compositor', 'audiomixer', 'x264enc', 'vp8dec', 'opusdec', 'mp4mux', 'flvmux', 'jpegenc') if Gst.ElementFactory.find(e) is None]; print(','.join(missing))";
    const r = spawnSync(ENGINE_PYTHON, ['-c', check], { encoding: 'utf8', timeout: 15_000 });
    if (r.error || r.status !== 0) {
      const why = `${ENGINE_PYTHON} with GStreamer's Python bindings did not run (install: bash scripts/install-system-deps.sh media)`;
      this.#log.warn({ err: r.error, stderr: r.stderr?.slice(0, 500) }, why);
      return { ok: false, why };
    }
    const missing = r.stdout.trim();
    if (missing) return { ok: false, why: `GStreamer elements missing: ${missing} (install: bash scripts/install-system-deps.sh media)` };
    return { ok: true };
  }
}
