import { VideoTileState } from './videoTileState.js';

/** Reports tile changes (the facade forwards them to AudioVideoObservers). */
export interface TileListener {
  didUpdate(state: VideoTileState): void;
  wasRemoved(tileId: number): void;
  /** The element a tile is bound to is shown at this size now (CSS pixels; on bind and on resize). */
  didResize?(tileId: number, width: number, height: number): void;
}

/** Who a tile shows: the local camera, or one remote attendee's camera or screen. */
export interface TileOwner {
  attendeeId: string;
  externalUserId: string;
  localTile: boolean;
  isContent: boolean;
}

/**
 * The video tiles of a session and the elements they are bound to. A tile id is never reused:
 * an attendee who restarts video gets a new tile.
 */
export class VideoTileController {
  readonly #tiles = new Map<number, VideoTileState>();
  readonly #listener: TileListener;
  #nextTileId = 1;
  /** Watches bound elements' sizes (where the browser has ResizeObserver). */
  #resizeObserver: ResizeObserver | undefined;

  constructor(listener: TileListener) {
    this.#listener = listener;
  }

  get(tileId: number): VideoTileState | null {
    return this.#tiles.get(tileId)?.clone() ?? null;
  }

  all(): VideoTileState[] {
    return [...this.#tiles.values()].map((t) => t.clone());
  }

  localTile(): VideoTileState | null {
    return this.all().find((t) => t.localTile) ?? null;
  }

  /** The tile showing `attendeeId`'s video, if any. */
  findByAttendee(attendeeId: string, localTile = false): number | null {
    for (const t of this.#tiles.values()) if (t.boundAttendeeId === attendeeId && t.localTile === localTile) return t.tileId;
    return null;
  }

  add(owner: TileOwner, stream: MediaStream | null): number {
    const state = new VideoTileState();
    state.tileId = this.#nextTileId++;
    state.localTile = owner.localTile;
    state.isContent = owner.isContent;
    state.boundAttendeeId = owner.attendeeId;
    state.boundExternalUserId = owner.externalUserId;
    state.nameplate = owner.externalUserId;
    this.#tiles.set(state.tileId, state);
    this.setStream(state.tileId, stream);
    return state.tileId;
  }

  /** Shows a new stream (or none) in the tile; active follows whether there is one. */
  setStream(tileId: number, stream: MediaStream | null): void {
    const state = this.#tiles.get(tileId);
    if (!state) return;
    if (state.boundVideoStream === stream && state.active === (stream !== null && !state.paused)) return;
    state.boundVideoStream = stream;
    state.active = stream !== null && !state.paused;
    const track = stream?.getVideoTracks()[0];
    const settings = track?.getSettings();
    state.videoStreamContentWidth = settings?.width ?? null;
    state.videoStreamContentHeight = settings?.height ?? null;
    state.streamId = stream ? tileId : null;
    this.#attach(state);
    this.#listener.didUpdate(state.clone());
  }

  setPaused(tileId: number, paused: boolean): void {
    const state = this.#tiles.get(tileId);
    if (!state || state.paused === paused) return;
    state.paused = paused;
    state.active = state.boundVideoStream !== null && !paused;
    this.#listener.didUpdate(state.clone());
  }

  setPoorConnection(tileId: number, poor: boolean): void {
    const state = this.#tiles.get(tileId);
    if (!state || state.poorConnection === poor) return;
    state.poorConnection = poor;
    this.#listener.didUpdate(state.clone());
  }

  /** Shows the tile in `element`. Observers hear of it only when the binding changed (they often bind from videoTileDidUpdate). */
  bind(tileId: number, element: HTMLVideoElement): void {
    const state = this.#tiles.get(tileId);
    if (!state) return;
    if (state.boundVideoElement === element) {
      this.#attach(state);
      return;
    }
    // An element shows one tile: unbind it from any other first (Chime does the same).
    for (const other of this.#tiles.values()) {
      if (other !== state && other.boundVideoElement === element) {
        other.boundVideoElement = null;
        this.#listener.didUpdate(other.clone());
      }
    }
    state.boundVideoElement = element;
    state.videoElementCSSWidthPixels = element.clientWidth || null;
    state.videoElementCSSHeightPixels = element.clientHeight || null;
    state.devicePixelRatio = window.devicePixelRatio;
    this.#attach(state);
    this.#listener.didUpdate(state.clone());
  }

  unbind(tileId: number, cleanUpVideoElement = true): void {
    const state = this.#tiles.get(tileId);
    if (!state?.boundVideoElement) return;
    if (cleanUpVideoElement) {
      state.boundVideoElement.srcObject = null;
      state.boundVideoElement.style.transform = '';
    }
    const element = state.boundVideoElement;
    state.boundVideoElement = null;
    this.#unwatch(element);
    this.#listener.didUpdate(state.clone());
  }

  remove(tileId: number): void {
    const state = this.#tiles.get(tileId);
    if (!state) return;
    if (state.boundVideoElement) {
      state.boundVideoElement.srcObject = null;
      state.boundVideoElement.style.transform = '';
    }
    this.#tiles.delete(tileId);
    this.#unwatch(state.boundVideoElement);
    this.#listener.wasRemoved(tileId);
  }

  removeAll(): void {
    for (const tileId of [...this.#tiles.keys()]) this.remove(tileId);
  }

  /** Reports the bound element's size now, and whenever it changes. */
  #watchSize(state: VideoTileState, element: HTMLVideoElement): void {
    if (!this.#listener.didResize || state.tileId === null) return;
    this.#listener.didResize(state.tileId, element.clientWidth, element.clientHeight);
    if (typeof ResizeObserver === 'undefined') return;
    this.#resizeObserver ??= new ResizeObserver((entries) => {
      for (const entry of entries) {
        const target = entry.target as HTMLVideoElement;
        for (const t of this.#tiles.values()) {
          if (t.boundVideoElement === target && t.tileId !== null) this.#listener.didResize?.(t.tileId, target.clientWidth, target.clientHeight);
        }
      }
    });
    this.#resizeObserver.observe(element);
  }

  #unwatch(element: HTMLVideoElement | null): void {
    if (element && ![...this.#tiles.values()].some((t) => t.boundVideoElement === element)) this.#resizeObserver?.unobserve(element);
  }

  #attach(state: VideoTileState): void {
    const element = state.boundVideoElement;
    if (!element) return;
    this.#watchSize(state, element);
    element.muted = true;
    element.autoplay = true;
    element.playsInline = true;
    // Your own camera looks like a mirror; screens and others' cameras never are.
    element.style.transform = state.localTile && !state.isContent ? 'rotateY(180deg)' : '';
    if (element.srcObject !== state.boundVideoStream) element.srcObject = state.boundVideoStream;
    if (state.boundVideoStream) element.play().catch(() => undefined);
  }
}
