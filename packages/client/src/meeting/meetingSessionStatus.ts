/**
 * Why a session stopped or failed: Chime's MeetingSessionStatusCode, same names and numbers, so
 * apps comparing against them keep working. The server names its end reasons after these.
 */
export const MeetingSessionStatusCode = {
  OK: 0,
  Left: 1,
  AudioJoinedFromAnotherDevice: 2,
  AudioDisconnectAudio: 3,
  AudioAuthenticationRejected: 4,
  AudioCallAtCapacity: 5,
  AudioCallEnded: 6,
  TURNMeetingEnded: 6,
  MeetingEnded: 6,
  AudioInternalServerError: 7,
  AudioServiceUnavailable: 8,
  AudioDisconnected: 9,
  VideoCallSwitchToViewOnly: 10,
  VideoCallAtSourceCapacity: 11,
  SignalingBadRequest: 12,
  SignalingInternalServerError: 13,
  SignalingRequestFailed: 14,
  StateMachineTransitionFailed: 15,
  ICEGatheringTimeoutWorkaround: 16,
  ConnectionHealthReconnect: 17,
  RealtimeApiFailed: 18,
  TaskFailed: 19,
  AudioDeviceSwitched: 20,
  IncompatibleSDP: 21,
  TURNCredentialsForbidden: 22,
  NoAttendeePresent: 23,
  AudioAttendeeRemoved: 24,
} as const;
export type MeetingSessionStatusCode = (typeof MeetingSessionStatusCode)[keyof typeof MeetingSessionStatusCode];

const C = MeetingSessionStatusCode;
const FAILURES: ReadonlySet<number> = new Set([
  C.AudioAuthenticationRejected, C.AudioCallAtCapacity, C.AudioInternalServerError, C.AudioServiceUnavailable,
  C.AudioDisconnected, C.VideoCallAtSourceCapacity, C.SignalingBadRequest, C.SignalingInternalServerError,
  C.SignalingRequestFailed, C.StateMachineTransitionFailed, C.ICEGatheringTimeoutWorkaround,
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
        return new MeetingSessionStatus(C.AudioCallAtCapacity);
      case 'signaling_unreachable':
      case 'not_connected':
      case 'timeout':
        return new MeetingSessionStatus(C.SignalingRequestFailed);
      default:
        return new MeetingSessionStatus(C.SignalingBadRequest);
    }
  }
}
