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
  /**
   * Set when this joiner is the meeting's host (Parley demo rule: whoever starts the meeting).
   * The demo backend checks it on the host-only recording and streaming routes.
   */
  hostKey?: string;
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

const HOST_KEY_PREFIX = 'parley.hostKey.';

function savedHostKey(meeting: string): string | undefined {
  try {
    return localStorage.getItem(HOST_KEY_PREFIX + meeting) ?? undefined;
  } catch {
    return undefined;
  }
}

function saveHostKey(meeting: string, key: string | undefined): void {
  try {
    if (key) localStorage.setItem(HOST_KEY_PREFIX + meeting, key);
  } catch {
    // Private mode: a rejoin from this browser joins as a guest.
  }
}

/**
 * Joins through the demo backend. A host key this browser was given for the meeting is sent
 * along, so the host who rejoins (reload, reconnect from the end screen) is host again.
 */
export async function demoJoin(meeting: string, name: string): Promise<JoinInfo> {
  let res: Response;
  const hostKey = savedHostKey(meeting);
  try {
    res = await fetch('/demo/join', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ meeting, name, ...(hostKey ? { hostKey } : {}) }),
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
  const key = isRecord(info.Host) && typeof info.Host.Key === 'string' ? info.Host.Key : undefined;
  saveHostKey(meeting, key);
  return { Meeting: info.Meeting, Attendee: info.Attendee, ...(key ? { hostKey: key } : {}) };
}
