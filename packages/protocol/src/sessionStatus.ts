/**
 * Why a member's session ended, named after Chime's MeetingSessionStatusCode members so the
 * Chime-style SDK maps them one to one; the SignalWire-style SDK maps them to room events.
 */
export const SessionEndReason = {
  Left: 'Left',
  AudioCallEnded: 'AudioCallEnded',
  AudioJoinedFromAnotherDevice: 'AudioJoinedFromAnotherDevice',
  AudioAuthenticationRejected: 'AudioAuthenticationRejected',
  AudioCallAtCapacity: 'AudioCallAtCapacity',
  AudioDisconnected: 'AudioDisconnected',
  SignalingInternalServerError: 'SignalingInternalServerError',
  Removed: 'AudioAttendeeRemoved',
  /** The server shut down (after its drain time): Chime's AudioServiceUnavailable; the socket closes with CloseCode.ServerShutdown. */
  ServerShutdown: 'AudioServiceUnavailable',
} as const;
export type SessionEndReason = (typeof SessionEndReason)[keyof typeof SessionEndReason];
