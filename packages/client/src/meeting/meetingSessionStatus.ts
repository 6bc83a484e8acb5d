/**
 * Why a session stopped or failed: Chime 3.x's MeetingSessionStatusCode, same names and
 * numbers, so apps comparing against them (or logging the numbers) keep working. The older
 * names the reference README uses stay as aliases: AudioCallEnded and TURNMeetingEnded are
 * MeetingEnded. The server names its end reasons after these.
 */
export const MeetingSessionStatusCode = {
  OK: 0,
  Left: 1,
  AudioJoinedFromAnotherDevice: 2,
  AudioAuthenticationRejected: 3,
  AudioCallAtCapacity: 4,
  MeetingEnded: 5,
  AudioCallEnded: 5,
  TURNMeetingEnded: 5,
  AudioInternalServerError: 6,
  AudioServiceUnavailable: 7,
  AudioDisconnected: 8,
  VideoCallSwitchToViewOnly: 9,
  VideoCallAtSourceCapacity: 10,
  SignalingBadRequest: 11,
  SignalingInternalServerError: 12,
  SignalingRequestFailed: 13,
  SignalingChannelClosedUnexpectedly: 14,
  ICEGatheringTimeoutWorkaround: 15,
  ConnectionHealthReconnect: 16,
  RealtimeApiFailed: 17,
  TaskFailed: 18,
  IncompatibleSDP: 19,
  TURNCredentialsForbidden: 20,
  NoAttendeePresent: 21,
  AudioAttendeeRemoved: 22,
  AudioVideoWasRemovedFromPrimaryMeeting: 23,
  AudioVideoDisconnectedWhilePromoted: 24,
  AudioDisconnectAudio: 25,
  EncodedTransformManagerFailed: 26,
} as const;
export type MeetingSessionStatusCode = (typeof MeetingSessionStatusCode)[keyof typeof MeetingSessionStatusCode];

const C = MeetingSessionStatusCode;
const FAILURES: ReadonlySet<number> = new Set([
  C.AudioAuthenticationRejected, C.AudioCallAtCapacity, C.AudioInternalServerError, C.AudioServiceUnavailable,
  C.AudioDisconnected, C.VideoCallAtSourceCapacity, C.SignalingBadRequest, C.SignalingInternalServerError,
  C.SignalingRequestFailed, C.SignalingChannelClosedUnexpectedly, C.ICEGatheringTimeoutWorkaround,
  C.ConnectionHealthReconnect, C.RealtimeApiFailed, C.TaskFailed, C.IncompatibleSDP,
  C.TURNCredentialsForbidden, C.NoAttendeePresent,
]);
/** Codes after which reconnecting makes no sense: the meeting or this attendee is gone. */
const TERMINAL: ReadonlySet<number> = new Set([
  C.Left, C.AudioJoinedFromAnotherDevice, C.AudioAuthenticationRejected, C.AudioCallAtCapacity,
  C.AudioCallEnded, C.TURNCredentialsForbidden, C.AudioAttendeeRemoved,
]);

/** A status code with the predicates Chime's MeetingSessionStatus offers. */
export class MeetingSessionStatus {
  readonly #code: MeetingSessionStatusCode;

  constructor(statusCode: MeetingSessionStatusCode) {
    this.#code = statusCode;
  }

  statusCode(): MeetingSessionStatusCode {
    return this.#code;
  }

  isFailure(): boolean {
    return FAILURES.has(this.#code);
  }

  isTerminal(): boolean {
    return TERMINAL.has(this.#code);
  }

  isAudioConnectionFailure(): boolean {
    return this.#code === C.AudioAuthenticationRejected || this.#code === C.AudioInternalServerError
      || this.#code === C.AudioServiceUnavailable || this.#code === C.AudioDisconnected;
  }

  /** The status for one of the server's end reasons (they carry Chime's code names). */
  static fromEndReason(reason: string): MeetingSessionStatus {
    const code = (MeetingSessionStatusCode as Record<string, MeetingSessionStatusCode>)[reason];
    return new MeetingSessionStatus(code ?? C.SignalingInternalServerError);
  }

  /** The status for a failed join, by the server's error code. */
  static fromJoinError(code: string | undefined): MeetingSessionStatus {
    switch (code) {
      case 'token_invalid':
      case 'token_expired':
      case 'attendee_not_found':
      case 'forbidden':
        return new MeetingSessionStatus(C.AudioAuthenticationRejected);
      case 'meeting_not_found':
        return new MeetingSessionStatus(C.AudioCallEnded);
      case 'room_locked':
      case 'room_full':
        return new MeetingSessionStatus(C.AudioCallAtCapacity);
      case 'server_draining':
        // The server is shutting down and starts no new meetings.
        return new MeetingSessionStatus(C.AudioServiceUnavailable);
      case 'signaling_unreachable':
      case 'not_connected':
      case 'timeout':
        return new MeetingSessionStatus(C.SignalingRequestFailed);
      default:
        return new MeetingSessionStatus(C.SignalingBadRequest);
    }
  }
}
