export { ConsoleLogger, LogLevel, type Logger } from './logger.js';
export { DefaultModality } from './modality.js';
export { MeetingSessionStatus, MeetingSessionStatusCode } from './meetingSessionStatus.js';
export { MeetingSessionConfiguration, MeetingSessionCredentials, MeetingSessionURLs } from './meetingSessionConfiguration.js';
export { DefaultDeviceController, type Device, type AudioInputDevice, type VideoInputDevice } from './deviceController.js';
export { VideoTileState } from './videoTileState.js';
export { DefaultVideoTile, type VideoTile } from './videoTile.js';
export { ClientMetricReport } from './clientMetricReport.js';
export {
  MeetingSessionVideoAvailability, type AudioVideoObserver, type ContentShareObserver, type DeviceChangeObserver,
} from './observers.js';
export { DefaultActiveSpeakerPolicy, type ActiveSpeakerPolicy, type ActiveSpeakerCallback, type ActiveSpeakerScoresCallback } from './activeSpeakerPolicy.js';
export { DataMessage, type VolumeIndicatorCallback, type AttendeePresenceCallback } from './realtimeController.js';
export {
  AudioProfile, Attendee, VideoCodecCapability, VideoQualitySettings, VideoSource, type AudioMixObserver, type RemovableAnalyserNode,
} from './chimeSettings.js';
export type { ContentShareSimulcastEncodingParameters } from './contentShareController.js';
export { DefaultAudioVideoFacade, type AudioVideoFacade } from './defaultAudioVideoFacade.js';
export { DefaultMeetingSession, type MeetingSession } from './defaultMeetingSession.js';
