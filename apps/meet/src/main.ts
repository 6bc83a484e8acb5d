import { ParleyEngine } from '@parley/client';
import './styles.css';
import { demoJoin } from './demoApi.js';
import { renderEndScreen, type MeetingExit } from './endScreen.js';
import { JoinScreen } from './joinScreen.js';
import { LocalMedia } from './localMedia.js';
import { MeetingView } from './meetingView.js';
import { randomMeetingName } from './names.js';

const NAME_KEY = 'parley.name';

function savedName(): string {
  try {
    return localStorage.getItem(NAME_KEY) ?? '';
  } catch {
    return '';
  }
}

function saveName(name: string): void {
  try {
    localStorage.setItem(NAME_KEY, name);
  } catch {
    // Not remembered in private mode.
  }
}

function meetingFromUrl(): string | undefined {
  const m = new URLSearchParams(window.location.search).get('m')?.trim();
  return m && m.length >= 2 && m.length <= 64 ? m : undefined;
}

function setMeetingInUrl(meeting: string): void {
  const url = new URL(window.location.href);
  url.searchParams.set('m', meeting);
  window.history.replaceState(null, '', url);
}

/** The app: join screen -> meeting -> end screen, sharing one set of local devices. */
class App {
  readonly #root: HTMLElement;
  readonly #media = new LocalMedia();
  #meeting = meetingFromUrl() ?? randomMeetingName();
  #screen: { destroy(): void } | undefined;

  constructor(root: HTMLElement) {
    this.#root = root;
  }

  showJoin(autoJoin = false): void {
    this.#swap();
    const screen = new JoinScreen({
      media: this.#media,
      meeting: this.#meeting,
      name: savedName(),
      autoJoin,
      onJoin: (meeting, name) => this.#join(meeting, name),
    });
    this.#screen = screen;
    this.#root.append(screen.el);
    document.title = 'Parley · Join a meeting';
    void screen.start();
  }

  async #join(meeting: string, name: string): Promise<void> {
    saveName(name);
    this.#meeting = meeting;
    setMeetingInUrl(meeting);
    const info = await demoJoin(meeting, name);
    const engine = await ParleyEngine.join({ signalingUrl: info.signalingUrl, token: info.joinToken });
    this.#swap();
    const view = new MeetingView({ engine, info, media: this.#media, name, onExit: (exit) => this.#showEnd(exit) });
    this.#screen = view;
    this.#root.append(view.el);
    document.title = `${info.meetingName} · Parley`;
    await view.start();
  }

  #showEnd(exit: MeetingExit): void {
    this.#screen = undefined;
    this.#media.stop();
    this.#swap();
    const el = renderEndScreen(exit, this.#meeting, {
      rejoin: () => this.showJoin(true),
      home: () => this.showJoin(false),
    });
    this.#screen = { destroy: () => el.remove() };
    this.#root.append(el);
    document.title = 'Parley';
  }

  #swap(): void {
    this.#screen?.destroy();
    this.#screen = undefined;
    this.#root.replaceChildren();
  }
}

const root = document.getElementById('app');
if (!root) throw new Error('index.html has no #app');
new App(root).showJoin();
