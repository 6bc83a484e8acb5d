/**
 * The demo backend: POST /demo/join creates (or reuses) a meeting and an attendee and answers
 * as Chime SDK demo backends do, `{ JoinInfo: { Meeting, Attendee } }`, holding the
 * CreateMeeting and CreateAttendee responses untouched.
 */

export interface JoinInfo {
  /** The CreateMeeting response: `{ Meeting: {...} }`. */
  Meeting: unknown;
  /** The CreateAttendee response: `{ Attendee: {...} }`. */
  Attendee: unknown;
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

export async function demoJoin(meeting: string, name: string): Promise<JoinInfo> {
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
  const info = isRecord(body) ? body.JoinInfo : undefined;
  if (!isRecord(info) || !isRecord(info.Meeting) || !isRecord(info.Attendee)) throw new DemoJoinError('BadResponse', "The server's answer has no JoinInfo.");
  return { Meeting: info.Meeting, Attendee: info.Attendee };
}
