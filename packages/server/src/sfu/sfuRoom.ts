import type { types } from 'mediasoup';
import { TypedEmitter } from '@parley/protocol';
import type { Logger } from '../logger.js';
import { ROUTER_MEDIA_CODECS } from './mediaCodecs.js';
import { PlainSink, PlainSource } from './plainEndpoints.js';
import { RouterSpread } from './routerSpread.js';
import { producerTag } from './sfuPeer.js';
import type { WorkerPool } from './workerPool.js';

export type SfuRoomEvents = {
  /** Audio levels of producers above the silence threshold, loudest first (dBov -127..0). */
  volumes: [Array<{ attendeeId: string; dBov: number }>];
  /** No producer is above the threshold. */
  silence: [];
  dominantSpeaker: [attendeeId: string];
  /** The router is gone: closed, or its worker died (then the members must reconnect elsewhere). */
  close: [why: 'closed' | 'workerDied'];
};

/** Audio level sampling: 200 ms gives the SDK ~5 volume updates per second. */
const AUDIO_LEVEL_INTERVAL_MS = 200;
const AUDIO_LEVEL_THRESHOLD_DBOV = -80;

/**
 * One room's media plane: a mediasoup Router with audio level and active speaker observers
 * (plus routers on other workers when its receivers outgrow one; see RouterSpread).
 * It moves packets it is told to move; who may send or receive is decided by the rooms layer.
 */
export class SfuRoom extends TypedEmitter<SfuRoomEvents> {
  readonly router: types.Router;
  readonly webRtcServer: types.WebRtcServer;
  readonly spread: RouterSpread;
  readonly #audioLevels: types.AudioLevelObserver;
  readonly #activeSpeaker: types.ActiveSpeakerObserver;
  #closed = false;
  #workerDied = false;
  #encrypted = false;

  private constructor(spread: RouterSpread, audioLevels: types.AudioLevelObserver, activeSpeaker: types.ActiveSpeakerObserver) {
    super();
    this.spread = spread;
    this.router = spread.home.router;
    this.webRtcServer = spread.home.webRtcServer;
    const router = this.router;
    this.#audioLevels = audioLevels;
    this.#activeSpeaker = activeSpeaker;
    audioLevels.on('volumes', (volumes) => this.emit('volumes', volumes.map((v) => ({ attendeeId: producerTag(v.producer).attendeeId, dBov: v.volume }))));
    audioLevels.on('silence', () => this.emit('silence'));
    activeSpeaker.on('dominantspeaker', ({ producer }) => this.emit('dominantSpeaker', producerTag(producer).attendeeId));
    router.once('workerclose', () => (this.#workerDied = true));
    router.observer.once('close', () => this.close());
  }

  /** A member announced end-to-end encryption: the media here is ciphertext to the server (for the rest of the session). */
  get encrypted(): boolean {
    return this.#encrypted;
  }

  markEncrypted(): void {
    this.#encrypted = true;
  }

  static async create(pool: WorkerPool, logger: Logger): Promise<SfuRoom> {
    const home = await pool.createRouter(ROUTER_MEDIA_CODECS);
    const audioLevels = await home.router.createAudioLevelObserver({ maxEntries: 64, threshold: AUDIO_LEVEL_THRESHOLD_DBOV, interval: AUDIO_LEVEL_INTERVAL_MS });
    const activeSpeaker = await home.router.createActiveSpeakerObserver({ interval: 300 });
    const room = new SfuRoom(new RouterSpread(home, pool, ROUTER_MEDIA_CODECS), audioLevels, activeSpeaker);
    room.onListenerError = (event, err) => logger.error({ err, event }, 'sfu room listener threw');
    return room;
  }

  get rtpCapabilities(): types.RtpCapabilities {
    return this.router.rtpCapabilities;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The worker under this room's producers died: its consumers are closing with it, the members will reconnect. */
  get workerDied(): boolean {
    return this.spread.home.workerDied();
  }

  async createWebRtcTransport(direction: 'send' | 'recv', appData: Record<string, unknown>): Promise<types.WebRtcTransport> {
    const slot = await this.spread.slotFor(direction);
    let transport: types.WebRtcTransport;
    try {
      transport = await slot.router.createWebRtcTransport({
        webRtcServer: slot.webRtcServer,
        enableUdp: true,
        enableTcp: this.spread.tcp,
        preferUdp: true,
        initialAvailableOutgoingBitrate: 1_000_000,
        appData,
      });
    } catch (err) {
      this.spread.release(slot, direction);
      throw err;
    }
    this.spread.track(transport, slot, direction);
    return transport;
  }

  /** A non-member receiver of a producer (compositor input, track recorder) on the home router, where producers live. */
  createPlainSink(producer: types.Producer, options: { rtcpMux?: boolean } = {}): Promise<PlainSink> {
    return PlainSink.create(this.router, producer, options);
  }

  /** A non-member sender (a playback): a producer fed by plain RTP from a local engine. */
  openPlainSource(kind: 'audio' | 'video'): Promise<PlainSource> {
    return PlainSource.open(this.router, kind);
  }

  /** Audio producers feed the level and speaker observers. */
  async observeAudio(producer: types.Producer): Promise<void> {
    await Promise.all([
      this.#audioLevels.addProducer({ producerId: producer.id }),
      this.#activeSpeaker.addProducer({ producerId: producer.id }),
    ]);
  }

  /** Whether a receiver with these capabilities can consume the producer on this transport (piping it there first if needed). */
  async prepareConsume(producer: types.Producer, transport: types.Transport, rtpCapabilities: types.RtpCapabilities): Promise<boolean> {
    if (!this.router.canConsume({ producerId: producer.id, rtpCapabilities })) return false;
    const router = await this.spread.ensureProducer(producer, transport);
    return router.canConsume({ producerId: producer.id, rtpCapabilities });
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.spread.close();
    this.router.close();
    this.emit('close', this.#workerDied ? 'workerDied' : 'closed');
    this.removeAllListeners();
  }
}
