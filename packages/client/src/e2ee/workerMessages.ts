import type { FrameCodec } from './frameCryptor.js';

/** Main thread -> E2EE worker. */
export type ToWorker =
  | { type: 'setKey'; index: number; key: CryptoKey | undefined }
  | { type: 'setSendIndex'; index: number }
  /** Fallback path (createEncodedStreams): the streams come by message. */
  | { type: 'streams'; options: TransformOptions; readable: ReadableStream; writable: WritableStream };

/** E2EE worker -> main thread. */
export type FromWorker = { type: 'decryptError'; participantId: string; kind: 'audio' | 'video'; reason: 'no_key' | 'failed' | 'not_encrypted' };

/** Sent as RTCRtpScriptTransform options (or with the streams) for one sender or receiver. */
export interface TransformOptions {
  operation: 'encrypt' | 'decrypt';
  /** Whose frames: for a receiver, the sender's attendee id (in decrypt errors). */
  participantId: string;
  kind: 'audio' | 'video';
  /** Used when a frame's metadata has no mimeType. */
  codec: FrameCodec;
}
