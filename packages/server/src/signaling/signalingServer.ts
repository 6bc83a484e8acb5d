import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { CloseCode, MAX_MESSAGE_BYTES } from '@parley/protocol';
import { SignalingSession, type SignalingDeps } from './signalingSession.js';
import { REALTIME_PATH, RealtimeSession, authenticateRealtime, type RealtimeDeps } from './realtimeSession.js';

export const SIGNALING_PATH = '/signaling';

/** Accepts WebSocket upgrades at /signaling on the HTTP server; one session per socket. */
export class SignalingServer {
  readonly #wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  readonly #server: Server;
  readonly #onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

  constructor(server: Server, deps: SignalingDeps, realtime?: RealtimeDeps) {
    this.#server = server;
    this.#onUpgrade = (req, socket, head) => {
      // Per-address connection rate and concurrent caps, checked before any handshake work.
      const limits = deps.rateLimits;
      if (!limits) return this.#route(req, socket, head, deps, realtime);
      limits.admitUpgrade(req, socket).then(
        (admitted) => admitted && this.#route(req, socket, head, deps, realtime),
        () => socket.destroy(),
      );
    };
    server.on('upgrade', this.#onUpgrade);
  }

  /** /realtime (the server SDK, authenticated first) or /signaling; anything else is a 404. */
  #route(req: IncomingMessage, socket: Duplex, head: Buffer, deps: SignalingDeps, realtime: RealtimeDeps | undefined): void {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === REALTIME_PATH && realtime) {
      // The server SDK's server-to-server socket, authenticated before the upgrade.
      authenticateRealtime(req, realtime).then(
        (permissions) => this.#wss.handleUpgrade(req, socket, head, (ws) => void new RealtimeSession(ws, realtime, permissions)),
        () => socket.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n'),
      );
      return;
    }
    if (path !== SIGNALING_PATH) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      new SignalingSession(ws, deps);
    });
  }

  get connections(): number {
    return this.#wss.clients.size;
  }

  close(): void {
    this.#server.off('upgrade', this.#onUpgrade);
    for (const ws of this.#wss.clients) ws.close(CloseCode.ServerShutdown, 'server shutting down');
    this.#wss.close();
  }
}
