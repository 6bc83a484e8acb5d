import type { ControlBar } from './controls.js';
import { HostApiError, type HostApi, type RecordingRow } from './hostApi.js';
import { icons } from './icons.js';
import type { Notices } from './notices.js';
import type { MediaChange, MediaStatus } from './roomMediaStatus.js';
import { StreamDialog } from './streamDialog.js';

function describeError(err: unknown): string {
  if (err instanceof HostApiError) return err.message;
  return err instanceof Error ? err.message : String(err);
}

function formatDuration(seconds: number | null): string | undefined {
  if (seconds === null) return undefined;
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

function formatSize(bytes: number | null): string | undefined {
  if (bytes === null) return undefined;
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1000))} kB`;
}

/**
 * The host's recording and streaming controls: the record toggle, the "Go live" dialog, and a
 * download link once a recording is saved. What runs comes from the room events (handle);
 * clicks only ask the demo backend, which checks the host key.
 */
export class HostMedia {
  readonly #api: HostApi;
  readonly #controls: ControlBar;
  readonly #notices: Notices;
  readonly #dialog: StreamDialog;
  #status: MediaStatus = { recording: false, streaming: false, recordingId: undefined, streamId: undefined, streamUrl: undefined };
  #recordBusy = false;

  constructor(api: HostApi, controls: ControlBar, notices: Notices) {
    this.#api = api;
    this.#controls = controls;
    this.#notices = notices;
    this.#dialog = new StreamDialog({ start: (url) => this.#startStream(url), stop: () => this.#stopStream() });
    controls.addHostControls({ toggleRecording: () => void this.#toggleRecording(), openStream: () => this.#dialog.open() });
  }

  handle(status: MediaStatus, change: MediaChange): void {
    this.#status = status;
    this.#controls.setRecording(status.recording, this.#recordBusy);
    this.#controls.setLive(status.streaming);
    this.#dialog.setLive(status.streaming, status.streamUrl);
    if (change.kind === 'recordingEnded') void this.#offerDownload(change.id, change.reason);
    if (change.kind === 'streamEnded' && change.reason && change.reason !== 'stopped') {
      this.#dialog.ended(change.reason);
      this.#notices.banner('stream', 'warn', `The live stream ended: ${change.reason}`);
    }
  }

  async #toggleRecording(): Promise<void> {
    if (this.#recordBusy) return;
    const stopping = this.#status.recording;
    this.#recordBusy = true;
    this.#controls.setRecording(stopping, true);
    this.#notices.dismiss('recording');
    try {
      if (stopping) {
        const id = this.#status.recordingId ?? (await this.#api.recordings()).find((r) => r.state !== 'completed')?.id;
        if (!id) throw new Error('The server no longer has a running recording.');
        await this.#api.stopRecording(id);
      } else {
        await this.#api.startRecording();
      }
    } catch (err) {
      this.#notices.banner('recording', 'error', `${stopping ? 'Could not stop recording' : 'Could not start recording'}: ${describeError(err)}`);
    } finally {
      this.#recordBusy = false;
      this.#controls.setRecording(this.#status.recording, false);
    }
  }

  async #offerDownload(id: string, reason: string | undefined): Promise<void> {
    let row: RecordingRow | undefined;
    try {
      // The row is written when the file is finished; ask again briefly if it is not yet.
      for (let i = 0; i < 10 && !row?.download; i++) {
        row = (await this.#api.recordings()).find((r) => r.id === id);
        if (!row?.download) await new Promise((r) => setTimeout(r, 500));
      }
    } catch (err) {
      this.#notices.banner('recording', 'error', `The recording stopped, but its file could not be listed: ${describeError(err)}`);
      return;
    }
    if (!row?.download) {
      this.#notices.banner('recording', 'warn', `The recording stopped${reason ? ` (${reason})` : ''}, but no file was saved.`);
      return;
    }
    const facts = [formatDuration(row.duration), formatSize(row.sizeInBytes)].filter(Boolean).join(' · ');
    const why = reason && reason !== 'stopped' ? ` It stopped by itself: ${reason}.` : '';
    this.#notices.banner(`recording-${id}`, 'info', `Recording saved${facts ? ` (${facts})` : ''}.${why}`, { label: 'Download', href: row.download, icon: icons.download });
  }

  async #startStream(url: string): Promise<void> {
    this.#notices.dismiss('stream');
    await this.#api.startStream(url);
  }

  async #stopStream(): Promise<void> {
    const id = this.#status.streamId ?? (await this.#api.streams()).find((s) => s.state === 'streaming')?.id;
    if (!id) throw new Error('The server no longer has a running stream.');
    await this.#api.stopStream(id);
  }

  destroy(): void {
    this.#dialog.destroy();
  }
}
