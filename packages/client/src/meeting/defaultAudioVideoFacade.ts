import type { ActiveSpeakerCallback, ActiveSpeakerPolicy, ActiveSpeakerScoresCallback } from './activeSpeakerPolicy.js';
import type { AudioVideoController } from './audioVideoController.js';
import type { ContentShareController } from './contentShareController.js';
import type { DefaultDeviceController, Device } from './deviceController.js';
import type { AudioVideoObserver, ContentShareObserver, DeviceChangeObserver } from './observers.js';
import type { AttendeePresenceCallback, VolumeIndicatorCallback } from './realtimeController.js';
import type { VideoTileState } from './videoTileState.js';

/**
 * `meetingSession.audioVideo`: everything an app calls during a meeting, in one object, with
 * Chime's method names and signatures. It only forwards to the controllers that do the work.
 */
export class DefaultAudioVideoFacade {
  readonly #av: AudioVideoController;
  readonly #devices: DefaultDeviceController;
  readonly #content: ContentShareController;

  constructor(av: AudioVideoController, devices: DefaultDeviceController, content: ContentShareController) {
    this.#av = av;
    this.#devices = devices;
    this.#content = content;
  }

  // Session
  addObserver(observer: AudioVideoObserver): void { this.#av.addObserver(observer); }
  removeObserver(observer: AudioVideoObserver): void { this.#av.removeObserver(observer); }
  start(): void { this.#av.start(); }
  stop(): void { this.#av.stop(); }
  bindAudioElement(element: HTMLAudioElement): boolean { return this.#av.bindAudioElement(element); }
  unbindAudioElement(): void { this.#av.unbindAudioElement(); }
  getRTCPeerConnectionStats(): Promise<RTCStatsReport | null> { return this.#av.getRTCPeerConnectionStats(); }

  // Video tiles
  startLocalVideoTile(): number { return this.#av.startLocalVideoTile(); }
  stopLocalVideoTile(): void { this.#av.stopLocalVideoTile(); }
  hasStartedLocalVideoTile(): boolean { return this.#av.hasStartedLocalVideoTile(); }
  removeLocalVideoTile(): void { this.#av.removeLocalVideoTile(); }
  getLocalVideoTile(): VideoTileState | null { return this.#av.tiles.localTile(); }
  getVideoTile(tileId: number): VideoTileState | null { return this.#av.tiles.get(tileId); }
  getAllVideoTiles(): VideoTileState[] { return this.#av.tiles.all(); }
  getAllRemoteVideoTiles(): VideoTileState[] { return this.#av.tiles.all().filter((t) => !t.localTile); }
  bindVideoElement(tileId: number, videoElement: HTMLVideoElement): void { this.#av.tiles.bind(tileId, videoElement); }
  unbindVideoElement(tileId: number, cleanUpVideoElement = true): void { this.#av.tiles.unbind(tileId, cleanUpVideoElement); }
  pauseVideoTile(tileId: number): void { this.#av.pauseVideoTile(tileId, true); }
  unpauseVideoTile(tileId: number): void { this.#av.pauseVideoTile(tileId, false); }
  removeVideoTile(tileId: number): void { this.#av.tiles.remove(tileId); }

  // Realtime
  realtimeMuteLocalAudio(): void { this.#av.realtime.realtimeMuteLocalAudio(); }
  realtimeUnmuteLocalAudio(): boolean { return this.#av.realtime.realtimeUnmuteLocalAudio(); }
  realtimeIsLocalAudioMuted(): boolean { return this.#av.realtime.realtimeIsLocalAudioMuted(); }
  realtimeSetCanUnmuteLocalAudio(canUnmute: boolean): void { this.#av.realtime.realtimeSetCanUnmuteLocalAudio(canUnmute); }
  realtimeCanUnmuteLocalAudio(): boolean { return this.#av.realtime.realtimeCanUnmuteLocalAudio(); }
  realtimeSubscribeToSetCanUnmuteLocalAudio(cb: (canUnmute: boolean) => void): void { this.#av.realtime.realtimeSubscribeToSetCanUnmuteLocalAudio(cb); }
  realtimeUnsubscribeToSetCanUnmuteLocalAudio(cb: (canUnmute: boolean) => void): void { this.#av.realtime.realtimeUnsubscribeToSetCanUnmuteLocalAudio(cb); }
  realtimeSubscribeToMuteAndUnmuteLocalAudio(cb: (muted: boolean) => void): void { this.#av.realtime.realtimeSubscribeToMuteAndUnmuteLocalAudio(cb); }
  realtimeUnsubscribeToMuteAndUnmuteLocalAudio(cb: (muted: boolean) => void): void { this.#av.realtime.realtimeUnsubscribeToMuteAndUnmuteLocalAudio(cb); }
  realtimeSubscribeToVolumeIndicator(attendeeId: string, cb: VolumeIndicatorCallback): void { this.#av.realtime.realtimeSubscribeToVolumeIndicator(attendeeId, cb); }
  realtimeUnsubscribeFromVolumeIndicator(attendeeId: string, cb?: VolumeIndicatorCallback): void { this.#av.realtime.realtimeUnsubscribeFromVolumeIndicator(attendeeId, cb); }
  realtimeSubscribeToAttendeeIdPresence(cb: AttendeePresenceCallback): void { this.#av.realtime.realtimeSubscribeToAttendeeIdPresence(cb); }
  realtimeUnsubscribeToAttendeeIdPresence(cb: AttendeePresenceCallback): void { this.#av.realtime.realtimeUnsubscribeToAttendeeIdPresence(cb); }

  // Active speaker
  subscribeToActiveSpeakerDetector(policy: ActiveSpeakerPolicy, callback: ActiveSpeakerCallback, scoresCallback?: ActiveSpeakerScoresCallback, scoresCallbackIntervalMs?: number): void {
    this.#av.activeSpeaker.subscribe(policy, callback, scoresCallback, scoresCallbackIntervalMs);
  }
  unsubscribeFromActiveSpeakerDetector(callback: ActiveSpeakerCallback): void { this.#av.activeSpeaker.unsubscribe(callback); }

  // Devices
  listAudioInputDevices(): Promise<MediaDeviceInfo[]> { return this.#devices.listAudioInputDevices(); }
  listVideoInputDevices(): Promise<MediaDeviceInfo[]> { return this.#devices.listVideoInputDevices(); }
  listAudioOutputDevices(): Promise<MediaDeviceInfo[]> { return this.#devices.listAudioOutputDevices(); }
  chooseAudioInputDevice(device: Device): Promise<void> { return this.#devices.chooseAudioInputDevice(device); }
  chooseVideoInputDevice(device: Device): Promise<void> { return this.#devices.chooseVideoInputDevice(device); }
  chooseAudioOutputDevice(deviceId: string | null): Promise<void> { return this.#devices.chooseAudioOutputDevice(deviceId); }
  addDeviceChangeObserver(observer: DeviceChangeObserver): void { this.#devices.addDeviceChangeObserver(observer); }
  removeDeviceChangeObserver(observer: DeviceChangeObserver): void { this.#devices.removeDeviceChangeObserver(observer); }
  startVideoPreviewForVideoInput(element: HTMLVideoElement): void { this.#devices.startVideoPreviewForVideoInput(element); }
  stopVideoPreviewForVideoInput(element: HTMLVideoElement): void { this.#devices.stopVideoPreviewForVideoInput(element); }
  createAnalyserNodeForAudioInput(): AnalyserNode | null { return this.#devices.createAnalyserNodeForAudioInput(); }

  // Content share
  startContentShare(stream: MediaStream): Promise<void> { return this.#content.startContentShare(stream); }
  startContentShareFromScreenCapture(sourceId?: string, frameRate?: number): Promise<MediaStream> { return this.#content.startContentShareFromScreenCapture(sourceId, frameRate); }
  stopContentShare(): Promise<void> { return this.#content.stopContentShare(); }
  pauseContentShare(): Promise<void> { return this.#content.pauseContentShare(); }
  unpauseContentShare(): Promise<void> { return this.#content.unpauseContentShare(); }
  addContentShareObserver(observer: ContentShareObserver): void { this.#content.addContentShareObserver(observer); }
  removeContentShareObserver(observer: ContentShareObserver): void { this.#content.removeContentShareObserver(observer); }
}
