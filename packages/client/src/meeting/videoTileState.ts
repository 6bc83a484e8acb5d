/** Everything known about one video tile (Chime's VideoTileState), copied out on each update. */
export class VideoTileState {
  tileId: number | null = null;
  localTile = false;
  /** The local tile was started (startLocalVideoTile) and not stopped since. */
  localTileStarted = false;
  isContent = false;
  /** False while a local tile is stopped (stopLocalVideoTile) until it starts again. */
  active = false;
  /** Paused with pauseVideoTile: the server stops sending it. */
  paused = false;
  poorConnection = false;
  boundAttendeeId: string | null = null;
  boundExternalUserId: string | null = null;
  boundVideoStream: MediaStream | null = null;
  boundVideoElement: HTMLVideoElement | null = null;
  nameplate: string | null = null;
  videoStreamContentWidth: number | null = null;
  videoStreamContentHeight: number | null = null;
  videoElementCSSWidthPixels: number | null = null;
  videoElementCSSHeightPixels: number | null = null;
  devicePixelRatio = 0;
  videoElementPhysicalWidthPixels: number | null = null;
  videoElementPhysicalHeightPixels: number | null = null;
  streamId: number | null = null;
  /** Chime's remote video source group; Parley has none, so it stays null. */
  groupId: number | null = null;

  clone(): VideoTileState {
    return Object.assign(new VideoTileState(), this);
  }
}
