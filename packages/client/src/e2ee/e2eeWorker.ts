import { FrameCryptor, KeyRing, type EncodedFrameLike } from './frameCryptor.js';
import type { FromWorker, ToWorker, TransformOptions } from './workerMessages.js';

// The E2EE worker: one key ring for the room, one cryptor per sender/receiver stream.
interface WorkerScope {
  postMessage(message: FromWorker): void;
  onmessage: ((ev: MessageEvent<ToWorker>) => void) | null;
  onrtctransform: ((ev: Event & { transformer: { readable: ReadableStream; writable: WritableStream; options: TransformOptions } }) => void) | null;
}
const scope = self as unknown as WorkerScope;
const ring = new KeyRing();
/** A decrypt error is reported at most once a second per participant and kind. */
const lastReport = new Map<string, number>();

function report(options: TransformOptions, reason: FromWorker['reason']): void {
  const k = `${options.participantId}/${options.kind}`;
  const now = Date.now();
  if (now - (lastReport.get(k) ?? 0) < 1000) return;
  lastReport.set(k, now);
  scope.postMessage({ type: 'decryptError', participantId: options.participantId, kind: options.kind, reason } satisfies FromWorker);
}

function run(options: TransformOptions, readable: ReadableStream, writable: WritableStream): void {
  const cryptor = new FrameCryptor(ring, options.codec);
  const transform = new TransformStream<EncodedFrameLike, EncodedFrameLike>({
    async transform(frame, controller) {
      if (options.operation === 'encrypt') {
        if (await cryptor.encrypt(frame)) controller.enqueue(frame);
        return;
      }
      const result = await cryptor.decrypt(frame);
      if (result === 'ok') controller.enqueue(frame);
      else report(options, result);
    },
  });
  readable.pipeThrough(transform).pipeTo(writable).catch(() => undefined);
}

scope.onrtctransform = (ev) => run(ev.transformer.options, ev.transformer.readable, ev.transformer.writable);

scope.onmessage = (ev: MessageEvent<ToWorker>) => {
  const m = ev.data;
  if (m.type === 'setKey') ring.set(m.index, m.key);
  else if (m.type === 'setSendIndex') ring.currentIndex = m.index;
  else run(m.options, m.readable, m.writable);
};
