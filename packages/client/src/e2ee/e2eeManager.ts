import { TypedEmitter } from '@parley/protocol';
import { ParleyClientError } from '../errors.js';
import { KEY_RING_SIZE, type FrameCodec } from './frameCryptor.js';
import { deriveFrameKey, type E2eeKeyMaterial } from './keyDerivation.js';
import type { FromWorker, ToWorker, TransformOptions } from './workerMessages.js';
import E2eeWorker from './e2eeWorker.ts?worker&inline';

/** End-to-end encryption settings for a join (both SDK faces take these). */
export interface E2eeOptions {
  /** The shared key: a passphrase (PBKDF2-SHA-256), raw bytes (HKDF-SHA-256) or an AES-GCM CryptoKey. */
  key: E2eeKeyMaterial;
  /** Key derivation salt; every member must use the same one (default: a fixed Parley string). */
  salt?: string;
  /** Index in the key ring (0-15) the key goes to and frames are sent with; default 0. */
  keyIndex?: number;
}

/** A frame from `attendeeId` could not be decrypted (wrong or missing key, or not encrypted); reported at most once a second per attendee and kind. */
export interface DecryptFailure {
  attendeeId: string;
  kind: 'audio' | 'video';
  reason: 'no_key' | 'failed' | 'not_encrypted';
}

export type E2eeEvents = { decryptionFailed: [DecryptFailure] };

type ScriptTransformCtor = new (worker: Worker, options: TransformOptions) => unknown;
type EncodedStreams = { readable: ReadableStream; writable: WritableStream };

/** Which encoded-transform API this browser has: 'script' (RTCRtpScriptTransform), 'streams' (createEncodedStreams) or none. */
export function e2eeSupport(): 'script' | 'streams' | null {
  if (typeof RTCRtpSender === 'undefined') return null;
  if ('RTCRtpScriptTransform' in globalThis) return 'script';
  if ('createEncodedStreams' in RTCRtpSender.prototype) return 'streams';
  return null;
}

/**
 * The browser side of E2EE: one worker with the room's key ring, an encrypting transform on every
 * sender and a decrypting one on every receiver. The server only ever sees ciphertext (and the
 * codec headers it needs), and holds no key.
 */
export class E2eeManager extends TypedEmitter<E2eeEvents> {
  readonly mode: 'script' | 'streams';
  readonly #worker: Worker;
  readonly #salt: string | undefined;
  #sendIndex = 0;

  private constructor(mode: 'script' | 'streams', salt: string | undefined) {
    super();
    this.mode = mode;
    this.#salt = salt;
    this.#worker = new E2eeWorker({ name: 'parley-e2ee' });
    this.#worker.onmessage = (ev: MessageEvent<FromWorker>) => {
      const { participantId, kind, reason } = ev.data;
      this.emit('decryptionFailed', { attendeeId: participantId, kind, reason });
    };
  }

  static async create(options: E2eeOptions): Promise<E2eeManager> {
    const mode = e2eeSupport();
    if (!mode) throw new ParleyClientError('e2ee_unsupported', 'this browser has no encoded transforms (RTCRtpScriptTransform or createEncodedStreams)');
    const manager = new E2eeManager(mode, options.salt);
    const index = options.keyIndex ?? 0;
    await manager.setKey(options.key, index);
    manager.setSendKeyIndex(index);
    return manager;
  }

  get sendKeyIndex(): number {
    return this.#sendIndex;
  }

  /** Puts a key in the ring at `index` (replacing what was there); frames naming that index decrypt with it. */
  async setKey(material: E2eeKeyMaterial, index = this.#sendIndex): Promise<void> {
    checkIndex(index);
    const key = await deriveFrameKey(material, this.#salt);
    this.#post({ type: 'setKey', index, key });
  }

  /** Sends from now on with the key at `index` (receivers pick the key by the index in each frame). */
  setSendKeyIndex(index: number): void {
    checkIndex(index);
    this.#sendIndex = index;
    this.#post({ type: 'setSendIndex', index });
  }

  /**
   * Rotation in one call: the new key goes to the next index, then sending switches to it.
   * Frames still in flight with the old index keep decrypting, so nothing freezes. For a room
   * without a glitch, have every member setKey() first and setSendKeyIndex() after.
   */
  async rotateKey(material: E2eeKeyMaterial): Promise<number> {
    const next = (this.#sendIndex + 1) % KEY_RING_SIZE;
    await this.setKey(material, next);
    this.setSendKeyIndex(next);
    return next;
  }

  attachSender(sender: RTCRtpSender, kind: 'audio' | 'video', codec: FrameCodec, attendeeId: string): void {
    this.#attach(sender, { operation: 'encrypt', participantId: attendeeId, kind, codec });
  }

  attachReceiver(receiver: RTCRtpReceiver, kind: 'audio' | 'video', codec: FrameCodec, attendeeId: string): void {
    this.#attach(receiver, { operation: 'decrypt', participantId: attendeeId, kind, codec });
  }

  close(): void {
    this.#worker.terminate();
  }

  #attach(endpoint: RTCRtpSender | RTCRtpReceiver, options: TransformOptions): void {
    if (this.mode === 'script') {
      const Transform = (globalThis as unknown as { RTCRtpScriptTransform: ScriptTransformCtor }).RTCRtpScriptTransform;
      (endpoint as unknown as { transform: unknown }).transform = new Transform(this.#worker, options);
      return;
    }
    const { readable, writable } = (endpoint as unknown as { createEncodedStreams(): EncodedStreams }).createEncodedStreams();
    this.#worker.postMessage({ type: 'streams', options, readable, writable } satisfies ToWorker, [readable as unknown as Transferable, writable as unknown as Transferable]);
  }

  #post(message: ToWorker): void {
    this.#worker.postMessage(message);
  }
}

function checkIndex(index: number): void {
  if (!Number.isInteger(index) || index < 0 || index >= KEY_RING_SIZE) throw new ParleyClientError('invalid_params', `E2EE key index must be 0..${KEY_RING_SIZE - 1}`);
}

/** The codec rules for a track's negotiated mimeType (frames' own metadata wins when present). */
export function frameCodecOf(mimeType: string | undefined, kind: 'audio' | 'video'): FrameCodec {
  const m = mimeType?.toLowerCase() ?? '';
  if (m.endsWith('/h264')) return 'h264';
  if (m.endsWith('/vp8')) return 'vp8';
  if (m.endsWith('/opus')) return 'opus';
  return kind === 'audio' ? 'opus' : 'vp8';
}
