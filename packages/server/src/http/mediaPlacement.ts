import { ErrorCode } from '@parley/protocol';
import { ParleyError } from '../errors.js';

/** Chime's MediaPlacement: where a client connects. Parley serves all of it from one server. */
export interface MediaPlacement {
  AudioHostUrl: string;
  AudioFallbackUrl: string;
  SignalingUrl: string;
  TurnControlUrl: string;
  ScreenDataUrl: string;
  ScreenViewingUrl: string;
  ScreenSharingUrl: string;
  EventIngestionUrl: string;
}

// Host header as RFC 3986 allows it (name or [v6], optional port); anything else is refused
// rather than echoed into URLs handed to clients.
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The server's base URL: config.publicUrl when set (it may carry a path prefix), else the
 * request's protocol and Host header.
 */
export function baseUrlOf(publicUrl: string | undefined, protocol: string, host: string | undefined): URL {
  if (publicUrl) return new URL(publicUrl.endsWith('/') ? publicUrl : `${publicUrl}/`);
  if (!host || !HOST.test(host)) throw new ParleyError(ErrorCode.BadRequest, 'Host header is missing or not valid.');
  return new URL(`${protocol === 'https' ? 'https' : 'http'}://${host}/`);
}

/** Every URL is derived from the base; signaling is the WebSocket endpoint `<base>/signaling`. */
export function mediaPlacementFor(base: URL): MediaPlacement {
  const http = base.href.replace(/\/$/, '');
  const ws = http.replace(/^http/, 'ws');
  const signaling = `${ws}/signaling`;
  return {
    AudioHostUrl: base.host,
    AudioFallbackUrl: signaling,
    SignalingUrl: signaling,
    TurnControlUrl: `${http}/turn`,
    // Content share is a second signaling session (join with content: true), not a separate service.
    ScreenDataUrl: signaling,
    ScreenViewingUrl: signaling,
    ScreenSharingUrl: signaling,
    EventIngestionUrl: `${http}/events`,
  };
}
