import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../../logger.js';
import { RoomComposite, type CompositeRoom } from '../composite/roomComposite.js';

export interface RoomPreviewOptions {
  roomSessionId: string;
  /** Folder the JPEG is written to (removed on close). */
  dir: string;
  width: number;
  intervalMs: number;
  logger: Logger;
}

/** Restarts of a preview engine that keeps dying are spaced out, and stop after this many. */
const MAX_RESTARTS = 5;

/**
 * The room's preview: a JPEG of its current picture, rewritten every few seconds while anyone is
 * in the room. A composite of its own at thumbnail size (inputs at their lowest simulcast layer,
 * a few frames a second, no audio, no H.264/AAC encoders), so it costs little enough to run for every room and
 * never touches the program composite that recordings and streams use.
 */
export class RoomPreview {
  /** Unguessable part of the preview's URL: the URL itself is the credential, like a signed link. */
  readonly token = randomBytes(12).toString('base64url');
  readonly path: string;
  readonly #o: RoomPreviewOptions;
  readonly #room: CompositeRoom;
  #composite: RoomComposite | undefined;
  #starting: Promise<void> | undefined;
  #restarts = 0;
  #closed = false;

  constructor(room: CompositeRoom, options: RoomPreviewOptions) {
    this.#room = room;
    this.#o = options;
    mkdirSync(options.dir, { recursive: true });
    this.path = join(options.dir, 'preview.jpg');
  }

  start(): void {
    // An end-to-end encrypted room has nothing the server could draw.
    if (this.#closed || this.#composite || this.#starting || this.#room.sfu.encrypted) return;
    this.#starting = this.#start().finally(() => (this.#starting = undefined));
  }

  changed(): void {
    this.#composite?.changed();
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#starting;
    await this.#composite?.stop();
    this.#composite = undefined;
    rmSync(this.#o.dir, { recursive: true, force: true });
  }

  async #start(): Promise<void> {
    const width = this.#o.width;
    const height = Math.round((width * 9) / 16 / 2) * 2;
    try {
      const composite = await RoomComposite.start(this.#room, { width, height, fps: 5, audio: false, encode: false, logger: this.#o.logger.child({ composite: 'preview' }) });
      if (this.#closed) {
        await composite.stop();
        return;
      }
      await composite.engine.addOutput('preview', { type: 'preview', path: this.path, intervalMs: this.#o.intervalMs, width });
      this.#composite = composite;
      // The room may have changed while the engine started.
      composite.changed();
      composite.on('failed', (reason) => {
        this.#composite = undefined;
        this.#o.logger.warn({ reason }, 'preview engine failed');
        this.#retry();
      });
    } catch (err) {
      this.#o.logger.warn({ err }, 'preview could not start');
      this.#retry();
    }
  }

  #retry(): void {
    if (this.#closed || ++this.#restarts > MAX_RESTARTS) return;
    setTimeout(() => this.start(), 1000 * 2 ** this.#restarts).unref();
  }
}
