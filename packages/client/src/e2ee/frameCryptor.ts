/**
 * Per-frame AES-GCM for encoded WebRTC frames, shared by the worker and the main-thread fallback.
 * This module imports nothing: the worker bundle carries it whole.
 *
 * Frame layout: clear header | ciphertext + 16-byte tag | IV (12) | key index (1) | TRAILER_MAGIC (1).
 * The clear header (codec payload header) is also the GCM additional data, so the SFU can read it
 * (keyframe detection, simulcast layer switching) but not change it unnoticed.
 */
export const IV_LENGTH = 12;
export const TRAILER_LENGTH = IV_LENGTH + 2;
export const TRAILER_MAGIC = 0xe2;
/** How many keys a ring holds; a frame names its key by index (0..KEY_RING_SIZE-1). */
export const KEY_RING_SIZE = 16;

export type FrameCodec = 'vp8' | 'h264' | 'opus' | 'other';

/** The frame fields the cryptor reads, a subset of RTCEncodedVideoFrame / RTCEncodedAudioFrame. */
export interface EncodedFrameLike {
  data: ArrayBuffer;
  readonly type?: 'key' | 'delta' | 'empty';
  timestamp?: number;
  getMetadata(): { synchronizationSource?: number; mimeType?: string; rtpTimestamp?: number };
}

export type DecryptResult = 'ok' | 'no_key' | 'failed' | 'not_encrypted';

/** Maps a frame's mimeType (Chromium puts it in the metadata) to the codec rules to apply. */
export function codecOf(mimeType: string | undefined, fallback: FrameCodec): FrameCodec {
  const m = mimeType?.toLowerCase();
  if (!m) return fallback;
  if (m.endsWith('/vp8')) return 'vp8';
  if (m.endsWith('/h264')) return 'h264';
  if (m.endsWith('/opus')) return 'opus';
  return 'other';
}

/**
 * How many leading bytes stay in the clear: VP8's payload header (10 bytes on keyframes with the
 * frame size, 1 on delta frames), H.264 up to and including the first slice NAL's header, Opus
 * its TOC byte (LiveKit and Jitsi do the same).
 */
export function clearBytes(codec: FrameCodec, data: Uint8Array, keyFrame: boolean): number {
  switch (codec) {
    case 'vp8':
      return Math.min(data.length, keyFrame ? 10 : 1);
    case 'opus':
      return Math.min(data.length, 1);
    case 'h264':
      return h264ClearBytes(data);
    default:
      return 0;
  }
}

/** Annex B: SPS/PPS/SEI stay clear, the first slice (NAL type 1 or 5) keeps its header + 1 byte. */
function h264ClearBytes(data: Uint8Array): number {
  for (let i = 0; i + 3 < data.length; i++) {
    const start3 = data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1;
    if (!start3) continue;
    const nal = i + 3;
    const type = (data[nal] ?? 0) & 0x1f;
    if (type === 1 || type === 5) return Math.min(data.length, nal + 2);
    i = nal - 1;
  }
  return 0;
}

/** The keys of one sender (or the shared keys of the room): CryptoKeys by index. */
export class KeyRing {
  readonly #keys: Array<CryptoKey | undefined> = new Array<CryptoKey | undefined>(KEY_RING_SIZE);
  /** The index new frames are encrypted with. */
  currentIndex = 0;

  set(index: number, key: CryptoKey | undefined): void {
    if (!Number.isInteger(index) || index < 0 || index >= KEY_RING_SIZE) throw new RangeError(`key index must be 0..${KEY_RING_SIZE - 1}`);
    this.#keys[index] = key;
  }

  get(index: number): CryptoKey | undefined {
    return this.#keys[index];
  }

  get current(): CryptoKey | undefined {
    return this.#keys[this.currentIndex];
  }
}

/**
 * Encrypts or decrypts frames of one direction with a KeyRing. The IV is SSRC | RTP timestamp |
 * a per-cryptor counter, unique per frame for one key.
 */
export class FrameCryptor {
  readonly ring: KeyRing;
  readonly #fallbackCodec: FrameCodec;
  #counter = 0;

  constructor(ring: KeyRing, fallbackCodec: FrameCodec) {
    this.ring = ring;
    this.#fallbackCodec = fallbackCodec;
  }

  /** Returns false (frame to drop) when there is no key to send with. */
  async encrypt(frame: EncodedFrameLike): Promise<boolean> {
    const key = this.ring.current;
    if (!key) return false;
    const data = new Uint8Array(frame.data);
    const meta = frame.getMetadata();
    const clear = clearBytes(codecOf(meta.mimeType, this.#fallbackCodec), data, frame.type === 'key');
    const iv = new Uint8Array(IV_LENGTH);
    const view = new DataView(iv.buffer);
    view.setUint32(0, meta.synchronizationSource ?? 0);
    view.setUint32(4, (meta.rtpTimestamp ?? frame.timestamp ?? 0) >>> 0);
    view.setUint32(8, this.#counter++ >>> 0);
    const header = data.subarray(0, clear);
    const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: header }, key, data.subarray(clear)));
    const out = new Uint8Array(clear + sealed.length + TRAILER_LENGTH);
    out.set(header, 0);
    out.set(sealed, clear);
    out.set(iv, clear + sealed.length);
    out[out.length - 2] = this.ring.currentIndex;
    out[out.length - 1] = TRAILER_MAGIC;
    frame.data = out.buffer;
    return true;
  }

  /** Decrypts in place; anything but 'ok' means the frame must not reach the decoder. */
  async decrypt(frame: EncodedFrameLike): Promise<DecryptResult> {
    const data = new Uint8Array(frame.data);
    if (data.length < TRAILER_LENGTH + 16 || data[data.length - 1] !== TRAILER_MAGIC) return 'not_encrypted';
    const key = this.ring.get(data[data.length - 2] ?? 0);
    if (!key) return 'no_key';
    const meta = frame.getMetadata();
    // The header length is computed on the received bytes, which the sender left in the clear.
    const clear = clearBytes(codecOf(meta.mimeType, this.#fallbackCodec), data.subarray(0, data.length - TRAILER_LENGTH), frame.type === 'key');
    const ivStart = data.length - TRAILER_LENGTH;
    const iv = data.slice(ivStart, ivStart + IV_LENGTH);
    const header = data.subarray(0, clear);
    try {
      const plain = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv, additionalData: header }, key, data.subarray(clear, ivStart)));
      const out = new Uint8Array(clear + plain.length);
      out.set(header, 0);
      out.set(plain, clear);
      frame.data = out.buffer;
      return 'ok';
    } catch {
      return 'failed';
    }
  }
}
