/** The demo backend: POST /demo/join creates (or reuses) a meeting and an attendee. */

export interface DemoJoinInfo {
  meetingId: string;
  meetingName: string;
  signalingUrl: string;
  attendeeId: string;
  joinToken: string;
}

export class DemoJoinError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'DemoJoinError';
    this.code = code;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function str(obj: unknown, key: string): string {
  const value = isRecord(obj) ? obj[key] : undefined;
  if (typeof value !== 'string') throw new DemoJoinError('BadResponse', `the server's answer has no ${key}`);
  return value;
}

export async function demoJoin(meeting: string, name: string): Promise<DemoJoinInfo> {
  let res: Response;
  try {
    res = await fetch('/demo/join', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ meeting, name }),
    });
  } catch {
    throw new DemoJoinError('Unreachable', 'Could not reach the Parley server. Check that it is running.');
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (!res.ok) {
    const message = isRecord(body) && typeof body.Message === 'string' ? body.Message : `The server answered ${res.status}.`;
    const code = isRecord(body) && typeof body.Code === 'string' ? body.Code : `HTTP${res.status}`;
    throw new DemoJoinError(code, message);
  }
  const m = isRecord(body) ? body.Meeting : undefined;
  const a = isRecord(body) ? body.Attendee : undefined;
  const placement = isRecord(m) ? m.MediaPlacement : undefined;
  return {
    meetingId: str(m, 'MeetingId'),
    meetingName: str(m, 'ExternalMeetingId'),
    signalingUrl: str(placement, 'SignalingUrl'),
    attendeeId: str(a, 'AttendeeId'),
    joinToken: str(a, 'JoinToken'),
  };
}
