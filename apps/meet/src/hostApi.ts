/**
 * The demo backend's host-only routes (recording and streaming), called with the host key that
 * /demo/join gave the meeting's host. The backend checks the key; a guest's call gets 403.
 */

export interface RecordingRow {
  id: string;
  state: 'recording' | 'paused' | 'completed';
  startedAt: string;
  /** Seconds, once known. */
  duration: number | null;
  sizeInBytes: number | null;
  reason: string | null;
  /** A same-origin link to the file once the recording is complete. */
  download: string | null;
}

export interface StreamRow {
  id: string;
  state: 'streaming' | 'completed';
  url: string;
  reason?: string;
}

/** What the backend answered instead of success: its message is meant for people. */
export class HostApiError extends Error {
  readonly code: string;
  readonly status: number;
  constructor(code: string, status: number, message: string) {
    super(message);
    this.name = 'HostApiError';
    this.code = code;
    this.status = status;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export class HostApi {
  readonly #base: string;
  readonly #key: string;

  constructor(meetingId: string, hostKey: string) {
    this.#base = `/demo/meetings/${encodeURIComponent(meetingId)}`;
    this.#key = hostKey;
  }

  async startRecording(): Promise<{ id: string }> {
    const body = await this.#call('POST', '/recordings');
    const rec = isRecord(body) && isRecord(body.recording) ? body.recording : undefined;
    if (!rec || typeof rec.id !== 'string') throw new HostApiError('BadResponse', 0, 'The server did not say which recording started.');
    return { id: rec.id };
  }

  async stopRecording(id: string): Promise<void> {
    await this.#call('POST', `/recordings/${encodeURIComponent(id)}/stop`);
  }

  async recordings(): Promise<RecordingRow[]> {
    const body = await this.#call('GET', '/recordings');
    return isRecord(body) && Array.isArray(body.recordings) ? (body.recordings as RecordingRow[]) : [];
  }

  async startStream(url: string): Promise<{ id: string }> {
    const body = await this.#call('POST', '/streams', { url });
    const stream = isRecord(body) && isRecord(body.stream) ? body.stream : undefined;
    if (!stream || typeof stream.id !== 'string') throw new HostApiError('BadResponse', 0, 'The server did not say which stream started.');
    return { id: stream.id };
  }

  async stopStream(id: string): Promise<void> {
    await this.#call('POST', `/streams/${encodeURIComponent(id)}/stop`);
  }

  async streams(): Promise<StreamRow[]> {
    const body = await this.#call('GET', '/streams');
    return isRecord(body) && Array.isArray(body.streams) ? (body.streams as StreamRow[]) : [];
  }

  async #call(method: 'GET' | 'POST', path: string, payload?: Record<string, unknown>): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(this.#base + path, {
        method,
        headers: { 'x-demo-host-key': this.#key, ...(payload ? { 'content-type': 'application/json' } : {}) },
        ...(payload ? { body: JSON.stringify(payload) } : {}),
      });
    } catch {
      throw new HostApiError('Unreachable', 0, 'Could not reach the Parley server.');
    }
    const body: unknown = await res.json().catch(() => undefined);
    if (!res.ok) {
      const message = isRecord(body) && typeof body.Message === 'string' ? body.Message : `The server answered ${res.status}.`;
      const code = isRecord(body) && typeof body.Code === 'string' ? body.Code : `HTTP${res.status}`;
      throw new HostApiError(code, res.status, message);
    }
    return body;
  }
}
