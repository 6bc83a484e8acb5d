import { DefaultVideoTile, type TileOwnerOps } from './videoTile.js';
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
  attendeeId: string | null;
  externalUserId: string;
  localTile: boolean;
  isContent: boolean;
}

/**
 * The video tiles of a session and the elements they are bound to. A tile id is never reused:
 * an attendee who restarts video gets a new tile. Binding follows Chime 3.x's
 * DefaultVideoTileController: binding an element another tile holds does not unbind that
 * tile (no update is sent for it); the element shows the tile bound last.
 */
export class VideoTileController implements TileOwnerOps {
  readonly #tiles = new Map<number, VideoTileState>();
  readonly #handles = new Map<number, DefaultVideoTile>();
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

  /** The tile object (Chime's VideoTile) for `tileId`, or null. */
  tile(tileId: number): DefaultVideoTile | null {
    if (!this.#tiles.has(tileId)) return null;
    let handle = this.#handles.get(tileId);
    if (!handle) this.#handles.set(tileId, (handle = new DefaultVideoTile(tileId, this)));
    return handle;
  }

  tiles(): DefaultVideoTile[] {
    return [...this.#tiles.keys()].map((id) => this.tile(id)!);
  }

  stateRef(tileId: number): VideoTileState | undefined {
    return this.#tiles.get(tileId);
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

  /** A blank tile for the app to fill with bindVideoStream (Chime's addVideoTile); no update is sent yet. */
  addEmpty(): DefaultVideoTile {
    const state = new VideoTileState();
    state.tileId = this.#nextTileId++;
    this.#tiles.set(state.tileId, state);
    return this.tile(state.tileId)!;
  }

  bindStream(tileId: number, fields: Parameters<TileOwnerOps['bindStream']>[1]): void {
    const state = this.#tiles.get(tileId);
    if (!state) return;
    let updated = false;
    for (const key of Object.keys(fields) as Array<keyof typeof fields>) {
      if (state[key] === fields[key]) continue;
      (state as unknown as Record<string, unknown>)[key] = fields[key];
      updated = true;
    }
    if (fields.boundAttendeeId?.endsWith('#content')) state.isContent = true;
    if (!updated) return;
    state.active = state.boundVideoStream !== null && !state.paused;
    this.#attach(state);
    this.#listener.didUpdate(state.clone());
  }

  setStreamId(tileId: number, streamId: number): void {
    const state = this.#tiles.get(tileId);
    if (!state) return;
    state.streamId = streamId;
    this.#listener.didUpdate(state.clone());
  }

  /** Marks the local tile started or stopped (state.localTileStarted); no update of its own. */
  setLocalStarted(tileId: number, started: boolean): void {
    const state = this.#tiles.get(tileId);
    if (state) state.localTileStarted = started;
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

  /** Returns whether the mark changed (Chime's markPoorConnection / unmarkPoorConnection). */
  setPoorConnection(tileId: number, poor: boolean): boolean {
    const state = this.#tiles.get(tileId);
    if (!state || state.poorConnection === poor) return false;
    state.poorConnection = poor;
    this.#listener.didUpdate(state.clone());
    return true;
  }

  /**
   * Shows the tile in `element` (Chime's DefaultVideoTile.bindVideoElement). Observers hear
   * videoTileDidUpdate only when the element or its CSS size changed (apps often bind from that
   * very callback). Another tile that held the element keeps it as its boundVideoElement and
   * gets no update, as in Chime 3.x; the element now shows this tile.
   */
  bind(tileId: number, element: HTMLVideoElement): void {
    this.bindElement(tileId, element);
  }

  bindElement(tileId: number, element: HTMLVideoElement | null): void {
    const state = this.#tiles.get(tileId);
    if (!state) return;
    let updated = false;
    const previous = state.boundVideoElement;
    if (previous !== element) {
      state.boundVideoElement = element;
      this.#unwatch(previous);
      updated = true;
    }
    const width = element ? element.clientWidth : null;
    const height = element ? element.clientHeight : null;
    if (state.videoElementCSSWidthPixels !== width || state.videoElementCSSHeightPixels !== height) {
      state.videoElementCSSWidthPixels = width;
      state.videoElementCSSHeightPixels = height;
      updated = updated || element !== null;
    }
    if (!updated) return;
    state.devicePixelRatio = typeof window === 'undefined' ? 1 : window.devicePixelRatio;
    state.videoElementPhysicalWidthPixels = width === null ? null : width * state.devicePixelRatio;
    state.videoElementPhysicalHeightPixels = height === null ? null : height * state.devicePixelRatio;
    this.#attach(state);
    this.#listener.didUpdate(state.clone());
  }

  /** Unbinds (Chime: the tile forgets the element; with cleanUpVideoElement the element is emptied, whatever it shows). */
  unbind(tileId: number, cleanUpVideoElement = true): void {
    const state = this.#tiles.get(tileId);
    if (!state) return;
    const element = state.boundVideoElement;
    if (element) this.bindElement(tileId, null);
    if (cleanUpVideoElement && element?.srcObject) {
      element.pause();
      element.style.transform = '';
      element.srcObject = null;
    }
  }

  /** Removes the tile; its element is emptied only if it still shows this tile's stream (Chime's destroy). */
  remove(tileId: number): void {
    const state = this.#tiles.get(tileId);
    if (!state) return;
    const element = state.boundVideoElement;
    if (element && element.srcObject === state.boundVideoStream && element.srcObject) {
      element.srcObject = null;
      element.style.transform = '';
    }
    this.#tiles.delete(tileId);
    this.#handles.delete(tileId);
    this.#unwatch(element);
    this.#listener.wasRemoved(tileId);
  }

  /** Removes every tile of the attendee and returns their ids (Chime's removeVideoTilesByAttendeeId). */
  removeByAttendee(attendeeId: string): number[] {
    const removed: number[] = [];
    for (const state of [...this.#tiles.values()]) {
      if (state.boundAttendeeId !== attendeeId || state.tileId === null) continue;
      this.remove(state.tileId);
      removed.push(state.tileId);
    }
    return removed;
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

  /** The element shows another tile's video now (that tile was bound to it later). */
  #showsOther(state: VideoTileState, element: HTMLVideoElement): boolean {
    if (!element.srcObject) return false;
    for (const t of this.#tiles.values()) if (t !== state && t.boundVideoStream === element.srcObject) return true;
    return false;
  }

  #unwatch(element: HTMLVideoElement | null): void {
    if (element && ![...this.#tiles.values()].some((t) => t.boundVideoElement === element)) this.#resizeObserver?.unobserve(element);
  }

  #attach(state: VideoTileState): void {
    const element = state.boundVideoElement;
    if (!element) return;
    // A tile without video leaves alone an element that another tile has taken over since.
    if (!state.boundVideoStream && this.#showsOther(state, element)) return;
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
