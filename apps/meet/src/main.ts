import { ConsoleLogger, DefaultDeviceController, DefaultMeetingSession, LogLevel, MeetingSessionConfiguration } from '@parley/client';
import './styles.css';
import { demoJoin } from './demoApi.js';
import { HostApi } from './hostApi.js';
import { renderEndScreen, type MeetingExit } from './endScreen.js';
import { JoinScreen } from './joinScreen.js';
import { LocalDevices } from './localDevices.js';
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

/** The app: join screen -> meeting -> end screen, sharing one device controller. */
class App {
  readonly #root: HTMLElement;
  readonly #logger = new ConsoleLogger('ParleyMeet', LogLevel.WARN);
  readonly #devices = new LocalDevices(new DefaultDeviceController(this.#logger));
  #meeting = meetingFromUrl() ?? randomMeetingName();
  #screen: { destroy(): void } | undefined;

  constructor(root: HTMLElement) {
    this.#root = root;
  }

  showJoin(autoJoin = false): void {
    this.#swap();
    const screen = new JoinScreen({
      media: this.#devices,
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
    const joinInfo = await demoJoin(meeting, name);
    const configuration = new MeetingSessionConfiguration(joinInfo.Meeting, joinInfo.Attendee);
    const session = new DefaultMeetingSession(configuration, this.#logger, this.#devices.controller);
    const host = joinInfo.hostKey && configuration.meetingId ? new HostApi(configuration.meetingId, joinInfo.hostKey) : undefined;
    const view = new MeetingView({ session, devices: this.#devices, name, ...(host ? { host } : {}), onExit: (exit) => this.#showEnd(exit) });
    await view.join();
    this.#swap();
    this.#screen = view;
    this.#root.append(view.el);
    view.shown();
    document.title = `${configuration.externalMeetingId ?? meeting} · Parley`;
  }

  #showEnd(exit: MeetingExit): void {
    this.#screen = undefined;
    void this.#devices.release();
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
