import type { ActiveSpeakerCallback, ActiveSpeakerPolicy, ActiveSpeakerScoresCallback } from './activeSpeakerPolicy.js';
import type { AudioVideoController } from './audioVideoController.js';
import type { AudioMixObserver, AudioProfile, RemovableAnalyserNode, VideoCodecCapability, VideoQualitySettings, VideoSource } from './chimeSettings.js';
import type { ContentShareController, ContentShareSimulcastEncodingParameters } from './contentShareController.js';
import type { AudioInputDevice, DefaultDeviceController, Device, VideoInputDevice } from './deviceController.js';
import type { MeetingSessionCredentials } from './meetingSessionConfiguration.js';
import { MeetingSessionStatus, MeetingSessionStatusCode } from './meetingSessionStatus.js';
import type { AudioVideoObserver, ContentShareObserver, DeviceChangeObserver } from './observers.js';
import type { AttendeePresenceCallback, DataMessage, VolumeIndicatorCallback } from './realtimeController.js';
import type { DefaultVideoTile } from './videoTile.js';

/**
 * `meetingSession.audioVideo`: everything an app calls during a meeting, in one object, with
 * the method names and signatures of Chime 3.x's DefaultAudioVideoFacade (and the older names
 * of the reference README beside them). It only forwards to the controllers that do the work.
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
  setAudioProfile(audioProfile: AudioProfile): void { this.#av.setAudioProfile(audioProfile); }
  start(options?: { signalingOnly?: boolean }): void { this.#av.start(options); }
  stop(): void { this.#av.stop(); }
  getRTCPeerConnectionStats(selector?: MediaStreamTrack): Promise<RTCStatsReport | null> { return this.#av.getRTCPeerConnectionStats(selector); }
  getRemoteVideoSources(): VideoSource[] { return this.#av.getRemoteVideoSources(); }
  setVideoMaxBandwidthKbps(maxBandwidthKbps: number): void { this.#av.setVideoMaxBandwidthKbps(maxBandwidthKbps); }
  setVideoCodecSendPreferences(preferences: VideoCodecCapability[]): void { this.#av.setVideoCodecSendPreferences(preferences); }

  /**
   * Replica meetings (Chime's Primary/Replica) do not exist on Parley: this resolves, never
   * rejects, with AudioAuthenticationRejected, what Chime returns for a non-replica meeting.
   */
  promoteToPrimaryMeeting(credentials: MeetingSessionCredentials): Promise<MeetingSessionStatus> {
    void credentials;
    return Promise.resolve(new MeetingSessionStatus(MeetingSessionStatusCode.AudioAuthenticationRejected));
  }

  /** Nothing to demote from (see promoteToPrimaryMeeting). */
  demoteFromPrimaryMeeting(): void {}

  /** Chime's facade observes its own demotion to stop content share; never called on Parley (no replicas). */
  audioVideoWasDemotedFromPrimaryMeeting(status: MeetingSessionStatus): void {
    void status;
    void this.#content.stopContentShare();
  }

  /** Chime's live transcription controller; Parley has no transcription service, so there is none. */
  get transcriptionController(): undefined { return undefined; }

  // Audio mix
  bindAudioElement(element: HTMLAudioElement): Promise<void> { return this.#av.bindAudioElement(element); }
  unbindAudioElement(): void { this.#av.unbindAudioElement(); }
  getCurrentMeetingAudioStream(): Promise<MediaStream | null> { return this.#av.getCurrentMeetingAudioStream(); }
  addAudioMixObserver(observer: AudioMixObserver): void { this.#av.addAudioMixObserver(observer); }
  removeAudioMixObserver(observer: AudioMixObserver): void { this.#av.removeAudioMixObserver(observer); }

  // Video tiles
  bindVideoElement(tileId: number, videoElement: HTMLVideoElement): void { this.#av.tiles.bind(tileId, videoElement); }
  unbindVideoElement(tileId: number, cleanUpVideoElement = true): void { this.#av.tiles.unbind(tileId, cleanUpVideoElement); }
  startLocalVideoTile(): number { return this.#av.startLocalVideoTile(); }
  stopLocalVideoTile(): void { this.#av.stopLocalVideoTile(); }
  hasStartedLocalVideoTile(): boolean { return this.#av.hasStartedLocalVideoTile(); }
  removeLocalVideoTile(): void { this.#av.removeLocalVideoTile(); }
  getLocalVideoTile(): DefaultVideoTile | null {
    const local = this.#av.tiles.localTile();
    return local?.tileId ? this.#av.tiles.tile(local.tileId) : null;
  }
  pauseVideoTile(tileId: number): void { this.#av.pauseVideoTile(tileId, true); }
  unpauseVideoTile(tileId: number): void { this.#av.pauseVideoTile(tileId, false); }
  getVideoTile(tileId: number): DefaultVideoTile | null { return this.#av.tiles.tile(tileId); }
  getAllRemoteVideoTiles(): DefaultVideoTile[] { return this.#av.tiles.tiles().filter((t) => !t.stateRef().localTile); }
  getAllVideoTiles(): DefaultVideoTile[] { return this.#av.tiles.tiles(); }
  /** A blank tile the app fills itself (tile.bindVideoStream); Parley never sends or receives it. */
  addVideoTile(): DefaultVideoTile { return this.#av.tiles.addEmpty(); }
  removeVideoTile(tileId: number): void { this.#av.tiles.remove(tileId); }
  removeVideoTilesByAttendeeId(attendeeId: string): number[] { return this.#av.tiles.removeByAttendee(attendeeId); }
  removeAllVideoTiles(): void { this.#av.tiles.removeAll(); }
  captureVideoTile(tileId: number): ImageData | null { return this.#av.tiles.tile(tileId)?.capture() ?? null; }

  // Realtime
  realtimeSubscribeToAttendeeIdPresence(cb: AttendeePresenceCallback): void { this.#av.realtime.realtimeSubscribeToAttendeeIdPresence(cb); }
  realtimeUnsubscribeToAttendeeIdPresence(cb: AttendeePresenceCallback): void { this.#av.realtime.realtimeUnsubscribeToAttendeeIdPresence(cb); }
  realtimeSetCanUnmuteLocalAudio(canUnmute: boolean): void { this.#av.realtime.realtimeSetCanUnmuteLocalAudio(canUnmute); }
  realtimeSubscribeToSetCanUnmuteLocalAudio(cb: (canUnmute: boolean) => void): void { this.#av.realtime.realtimeSubscribeToSetCanUnmuteLocalAudio(cb); }
  realtimeUnsubscribeToSetCanUnmuteLocalAudio(cb: (canUnmute: boolean) => void): void { this.#av.realtime.realtimeUnsubscribeToSetCanUnmuteLocalAudio(cb); }
  realtimeCanUnmuteLocalAudio(): boolean { return this.#av.realtime.realtimeCanUnmuteLocalAudio(); }
  realtimeMuteLocalAudio(): void { this.#av.realtime.realtimeMuteLocalAudio(); }
  realtimeUnmuteLocalAudio(): boolean { return this.#av.realtime.realtimeUnmuteLocalAudio(); }
  realtimeSubscribeToMuteAndUnmuteLocalAudio(cb: (muted: boolean) => void): void { this.#av.realtime.realtimeSubscribeToMuteAndUnmuteLocalAudio(cb); }
  realtimeUnsubscribeToMuteAndUnmuteLocalAudio(cb: (muted: boolean) => void): void { this.#av.realtime.realtimeUnsubscribeToMuteAndUnmuteLocalAudio(cb); }
  realtimeIsLocalAudioMuted(): boolean { return this.#av.realtime.realtimeIsLocalAudioMuted(); }
  realtimeSubscribeToVolumeIndicator(attendeeId: string, cb: VolumeIndicatorCallback): void { this.#av.realtime.realtimeSubscribeToVolumeIndicator(attendeeId, cb); }
  realtimeUnsubscribeFromVolumeIndicator(attendeeId: string, cb?: VolumeIndicatorCallback): void { this.#av.realtime.realtimeUnsubscribeFromVolumeIndicator(attendeeId, cb); }
  realtimeSubscribeToLocalSignalStrengthChange(cb: (signalStrength: number) => void): void { this.#av.realtime.realtimeSubscribeToLocalSignalStrengthChange(cb); }
  realtimeUnsubscribeToLocalSignalStrengthChange(cb: (signalStrength: number) => void): void { this.#av.realtime.realtimeUnsubscribeToLocalSignalStrengthChange(cb); }
  /** Throws ParleyClientError('not_available'): the Parley server relays no data messages yet. */
  realtimeSendDataMessage(topic: string, data: Uint8Array | string | object, lifetimeMs?: number): void { this.#av.realtime.realtimeSendDataMessage(topic, data, lifetimeMs); }
  /** Registers the callback; no message arrives from a Parley server yet (it relays none). */
  realtimeSubscribeToReceiveDataMessage(topic: string, cb: (dataMessage: DataMessage) => void): void { this.#av.realtime.realtimeSubscribeToReceiveDataMessage(topic, cb); }
  realtimeUnsubscribeFromReceiveDataMessage(topic: string): void { this.#av.realtime.realtimeUnsubscribeFromReceiveDataMessage(topic); }
  realtimeSubscribeToFatalError(cb: (error: Error) => void): void { this.#av.realtime.realtimeSubscribeToFatalError(cb); }
  realtimeUnsubscribeToFatalError(cb: (error: Error) => void): void { this.#av.realtime.realtimeUnsubscribeToFatalError(cb); }

  // Active speaker
  subscribeToActiveSpeakerDetector(policy: ActiveSpeakerPolicy, callback: ActiveSpeakerCallback, scoresCallback?: ActiveSpeakerScoresCallback, scoresCallbackIntervalMs?: number): void {
    this.#av.activeSpeaker.subscribe(policy, callback, scoresCallback, scoresCallbackIntervalMs);
  }
  unsubscribeFromActiveSpeakerDetector(callback: ActiveSpeakerCallback): void { this.#av.activeSpeaker.unsubscribe(callback); }

  // Devices (Chime 3.x)
  listAudioInputDevices(forceUpdate = false): Promise<MediaDeviceInfo[]> { return this.#devices.listAudioInputDevices(forceUpdate); }
  listVideoInputDevices(forceUpdate = false): Promise<MediaDeviceInfo[]> { return this.#devices.listVideoInputDevices(forceUpdate); }
  listAudioOutputDevices(forceUpdate = false): Promise<MediaDeviceInfo[]> { return this.#devices.listAudioOutputDevices(forceUpdate); }
  startAudioInput(device: AudioInputDevice): Promise<MediaStream | undefined> { return this.#devices.startAudioInput(device); }
  stopAudioInput(): Promise<void> { return this.#devices.stopAudioInput(); }
  startVideoInput(device: VideoInputDevice): Promise<MediaStream | undefined> { return this.#devices.startVideoInput(device); }
  stopVideoInput(): Promise<void> { return this.#devices.stopVideoInput(); }
  chooseAudioOutput(deviceId: string | null): Promise<void> { return this.#devices.chooseAudioOutput(deviceId); }
  addDeviceChangeObserver(observer: DeviceChangeObserver): void { this.#devices.addDeviceChangeObserver(observer); }
  removeDeviceChangeObserver(observer: DeviceChangeObserver): void { this.#devices.removeDeviceChangeObserver(observer); }
  createAnalyserNodeForAudioInput(): RemovableAnalyserNode | null { return this.#devices.createAnalyserNodeForAudioInput(); }
  startVideoPreviewForVideoInput(element: HTMLVideoElement): void { this.#devices.startVideoPreviewForVideoInput(element); }
  stopVideoPreviewForVideoInput(element: HTMLVideoElement): void { this.#devices.stopVideoPreviewForVideoInput(element); }
  setDeviceLabelTrigger(trigger: () => Promise<MediaStream>): void { this.#devices.setDeviceLabelTrigger(trigger); }
  mixIntoAudioInput(stream: MediaStream): MediaStreamAudioSourceNode { return this.#devices.mixIntoAudioInput(stream); }
  chooseVideoInputQuality(width: number, height: number, frameRate: number): void { this.#devices.chooseVideoInputQuality(width, height, frameRate); }
  getVideoInputQualitySettings(): VideoQualitySettings | null { return this.#devices.getVideoInputQualitySettings(); }

  // Devices (the older names of the reference README)
  chooseAudioInputDevice(device: Device): Promise<void> { return this.#devices.chooseAudioInputDevice(device); }
  chooseVideoInputDevice(device: Device): Promise<void> { return this.#devices.chooseVideoInputDevice(device); }
  chooseAudioOutputDevice(deviceId: string | null): Promise<void> { return this.#devices.chooseAudioOutputDevice(deviceId); }

  // Content share
  setContentAudioProfile(audioProfile: AudioProfile): void { this.#content.setContentAudioProfile(audioProfile); }
  enableSimulcastForContentShare(enable: boolean, encodingParams?: ContentShareSimulcastEncodingParameters): void { this.#content.enableSimulcastForContentShare(enable, encodingParams); }
  enableSVCForContentShare(enable: boolean): void { this.#content.enableSVCForContentShare(enable); }
  startContentShare(stream: MediaStream): Promise<void> { return this.#content.startContentShare(stream); }
  startContentShareFromScreenCapture(sourceId?: string, frameRate?: number): Promise<MediaStream> { return this.#content.startContentShareFromScreenCapture(sourceId, frameRate); }
  pauseContentShare(): Promise<void> { return this.#content.pauseContentShare(); }
  unpauseContentShare(): Promise<void> { return this.#content.unpauseContentShare(); }
  stopContentShare(): Promise<void> { return this.#content.stopContentShare(); }
  addContentShareObserver(observer: ContentShareObserver): void { this.#content.addContentShareObserver(observer); }
  removeContentShareObserver(observer: ContentShareObserver): void { this.#content.removeContentShareObserver(observer); }
  setContentShareVideoCodecPreferences(preferences: VideoCodecCapability[]): void { this.#content.setContentShareVideoCodecPreferences(preferences); }
}

/** Chime's AudioVideoFacade interface name, for apps that annotate with it. */
export type AudioVideoFacade = DefaultAudioVideoFacade;
