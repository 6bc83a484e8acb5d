export { ParleyEngine, type RemoteTrack, type EngineEvents, type EngineJoinOptions, type PublishOptions, type JoinResult } from './engine/parleyEngine.js';
export { SignalClient } from './engine/signalClient.js';
export { ParleyClientError } from './errors.js';
export { ErrorCode, SessionEndReason, Permission, type AttendeeInfo, type LeaveReason, type MediaSource, type MediaKind } from '@parley/protocol';
export * from './meeting/index.js';
