export { ParleyEngine, type RemoteTrack, type EngineEvents, type EngineJoinOptions, type PublishOptions, type JoinResult, type TransportReport } from './engine/parleyEngine.js';
export { SignalClient } from './engine/signalClient.js';
export { ParleyClientError } from './errors.js';
export { ErrorCode, SessionEndReason, Permission, type AttendeeInfo, type LeaveReason, type MediaSource, type MediaKind } from '@parley/protocol';
export * from './meeting/index.js';
export { RoomSession, type RoomSessionOptions, type BrowserRoomSessionEvents, type StartScreenShareOptions, type DeviceUpdate } from './room/roomSession.js';
export { RoomSessionScreenShare, type RoomSessionScreenShareEvents } from './room/roomSessionScreenShare.js';
export { LayoutRenderer } from './room/layoutRenderer.js';
export { volumeToGain } from './room/audioGain.js';
export {
  LAYOUT_NAMES, type RoomMember, type MemberEntity, type RoomSessionFullState, type MemberEvent, type RoomEvent, type LayoutEvent,
  type VideoPosition, type VideoPositions, type MediaAllowed,
} from '@parley/protocol';
