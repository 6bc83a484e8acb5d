export { ConsoleLogger, LogLevel, type Logger } from './logger.js';
export { DefaultModality } from './modality.js';
export { MeetingSessionStatus, MeetingSessionStatusCode } from './meetingSessionStatus.js';
export { MeetingSessionConfiguration, MeetingSessionCredentials, MeetingSessionURLs } from './meetingSessionConfiguration.js';
export { DefaultDeviceController, type Device } from './deviceController.js';
export { VideoTileState } from './videoTileState.js';
export {
  MeetingSessionVideoAvailability, type AudioVideoObserver, type ContentShareObserver, type DeviceChangeObserver, type ClientMetricReport,
} from './observers.js';
export { DefaultActiveSpeakerPolicy, type ActiveSpeakerPolicy, type ActiveSpeakerCallback, type ActiveSpeakerScoresCallback } from './activeSpeakerPolicy.js';
export type { VolumeIndicatorCallback, AttendeePresenceCallback } from './realtimeController.js';
export { DefaultAudioVideoFacade } from './defaultAudioVideoFacade.js';
export { DefaultMeetingSession } from './defaultMeetingSession.js';
