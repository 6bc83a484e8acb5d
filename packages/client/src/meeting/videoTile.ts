import { VideoTileState } from './videoTileState.js';

/** One video tile (Chime's VideoTile): what getVideoTile / getAllVideoTiles / addVideoTile return. */
export interface VideoTile {
  id(): number;
  /** A copy of the tile's state now. */
  state(): VideoTileState;
  /** The tile's live state object (read it, don't change it). */
  stateRef(): VideoTileState;
  bindVideoStream(attendeeId: string, localTile: boolean, mediaStream: MediaStream | null, contentWidth: number | null, contentHeight: number | null, streamId: number | null, externalUserId?: string, groupId?: number | null): void;
  bindVideoElement(videoElement: HTMLVideoElement | null): void;
  pause(): void;
  unpause(): void;
  markPoorConnection(): boolean;
  unmarkPoorConnection(): boolean;
  destroy(): void;
  capture(): ImageData | null;
  setStreamId?(id: number): void;
}

/** What a tile asks of the controller that owns it (the controller keeps the state and tells observers). */
export interface TileOwnerOps {
  stateRef(tileId: number): VideoTileState | undefined;
  bindElement(tileId: number, element: HTMLVideoElement | null): void;
  bindStream(tileId: number, fields: Pick<VideoTileState, 'boundAttendeeId' | 'boundExternalUserId' | 'localTile' | 'boundVideoStream' | 'videoStreamContentWidth' | 'videoStreamContentHeight' | 'streamId' | 'groupId'>): void;
  setPaused(tileId: number, paused: boolean): void;
  setPoorConnection(tileId: number, poor: boolean): boolean;
  setStreamId(tileId: number, streamId: number): void;
  remove(tileId: number): void;
}

type StateFields = Omit<VideoTileState, 'clone'>;

/**
 * Parley's VideoTile. Besides Chime's methods it still exposes the state's fields read-only
 * (tile.tileId, tile.active...), as this SDK's face returned VideoTileState before v3 parity;
 * new code should use state().
 */
export interface DefaultVideoTile extends Readonly<StateFields> {}
export class DefaultVideoTile implements VideoTile {
  readonly #tileId: number;
  readonly #ops: TileOwnerOps;
  /** The state once the tile is gone (destroy leaves a blank state, as Chime's does). */
  #detached: VideoTileState | null = null;

  constructor(tileId: number, ops: TileOwnerOps) {
    this.#tileId = tileId;
    this.#ops = ops;
  }

  id(): number {
    return this.#tileId;
  }

  state(): VideoTileState {
    return this.stateRef().clone();
  }

  stateRef(): VideoTileState {
    const live = this.#ops.stateRef(this.#tileId);
    if (live) return live;
    return (this.#detached ??= blankState());
  }

  bindVideoStream(attendeeId: string, localTile: boolean, mediaStream: MediaStream | null, contentWidth: number | null, contentHeight: number | null, streamId: number | null, externalUserId?: string, groupId?: number | null): void {
    this.#ops.bindStream(this.#tileId, {
      boundAttendeeId: attendeeId,
      boundExternalUserId: externalUserId ?? null,
      localTile,
      boundVideoStream: mediaStream,
      videoStreamContentWidth: contentWidth,
      videoStreamContentHeight: contentHeight,
      streamId,
      groupId: groupId ?? null,
    });
  }

  bindVideoElement(videoElement: HTMLVideoElement | null): void {
    this.#ops.bindElement(this.#tileId, videoElement);
  }

  /** Marks the tile paused (what pauseVideoTile also does; this alone does not stop the server sending). */
  pause(): void {
    this.#ops.setPaused(this.#tileId, true);
  }

  unpause(): void {
    this.#ops.setPaused(this.#tileId, false);
  }

  markPoorConnection(): boolean {
    return this.#ops.setPoorConnection(this.#tileId, true);
  }

  unmarkPoorConnection(): boolean {
    return this.#ops.setPoorConnection(this.#tileId, false);
  }

  /** Removes the tile (observers hear videoTileWasRemoved); its state reads blank afterwards. */
  destroy(): void {
    this.#ops.remove(this.#tileId);
  }

  /** The current frame of the bound element, or null when the tile is not showing video. */
  capture(): ImageData | null {
    const state = this.stateRef();
    const video = state.boundVideoElement;
    if (!state.active || !video) return null;
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth || video.width;
    canvas.height = video.videoHeight || video.height;
    const ctx = canvas.getContext('2d');
    if (!ctx || !canvas.width || !canvas.height) return null;
    ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
    return ctx.getImageData(0, 0, canvas.width, canvas.height);
  }

  setStreamId(id: number): void {
    this.#ops.setStreamId(this.#tileId, id);
  }
}

function blankState(): VideoTileState {
  return new VideoTileState();
}

// The state's fields, read through to the live state (compatibility with the pre-v3 face).
for (const key of Object.keys(new VideoTileState()) as Array<keyof StateFields>) {
  Object.defineProperty(DefaultVideoTile.prototype, key, {
    get(this: DefaultVideoTile) {
      return this.stateRef()[key];
    },
    enumerable: true,
    configurable: true,
  });
}
