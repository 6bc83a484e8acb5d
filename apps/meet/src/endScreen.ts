import { MeetingSessionStatusCode } from '@parley/client';
import { h } from './dom.js';
import { icons } from './icons.js';

/** How the meeting ended for you: the session's final status code. */
export interface MeetingExit {
  code: MeetingSessionStatusCode;
}

interface Copy {
  icon: string;
  tone: 'neutral' | 'warn' | 'error';
  title: string;
  body: string;
  canRejoin: boolean;
}

/** The status code's name (its first name, for codes Chime gives several). */
export function statusName(code: MeetingSessionStatusCode): string {
  return Object.entries(MeetingSessionStatusCode).find(([, value]) => value === code)?.[0] ?? String(code);
}

export function describeExit(exit: MeetingExit): Copy {
  switch (exit.code) {
    case MeetingSessionStatusCode.Left:
    case MeetingSessionStatusCode.OK:
      return { icon: icons.door, tone: 'neutral', title: 'You left the meeting', body: 'Thanks for joining. You can hop back in any time.', canRejoin: true };
    case MeetingSessionStatusCode.MeetingEnded:
      return { icon: icons.leave, tone: 'neutral', title: 'The meeting has ended', body: 'This meeting was ended for everyone.', canRejoin: false };
    case MeetingSessionStatusCode.AudioAttendeeRemoved:
      return { icon: icons.alert, tone: 'warn', title: 'You were removed from the meeting', body: 'Someone with permission removed you from this meeting.', canRejoin: false };
    case MeetingSessionStatusCode.AudioJoinedFromAnotherDevice:
      return { icon: icons.present, tone: 'neutral', title: 'You joined from another tab or device', body: 'This meeting continues in your newer window.', canRejoin: true };
    case MeetingSessionStatusCode.AudioAuthenticationRejected:
      return { icon: icons.alert, tone: 'warn', title: 'Your invitation is no longer valid', body: 'Join again to get a fresh one.', canRejoin: true };
    default:
      return { icon: icons.wifiOff, tone: 'error', title: 'Connection lost', body: 'The connection to the meeting could not be restored. Check your network, then rejoin.', canRejoin: true };
  }
}

/** What you see after a meeting: why it ended, and the way back in. */
export function renderEndScreen(exit: MeetingExit, meeting: string, actions: { rejoin: () => void; home: () => void }): HTMLElement {
  const copy = describeExit(exit);
  const primary = copy.canRejoin
    ? h('button', { class: 'btn btn-primary btn-large', text: 'Rejoin', attrs: { type: 'button' }, on: { click: actions.rejoin } })
    : null;
  return h(
    'main',
    { class: 'end', attrs: { 'data-exit': statusName(exit.code) } },
    h(
      'div',
      { class: 'end-card' },
      h('div', { class: `end-icon tone-${copy.tone}`, html: copy.icon }),
      h('h1', { text: copy.title }),
      h('p', { class: 'muted', text: copy.body }),
      h('p', { class: 'end-meeting' }, h('span', { class: 'muted', text: 'Meeting ' }), h('strong', { text: meeting })),
      h(
        'div',
        { class: 'end-actions' },
        primary,
        h('button', { class: `btn ${primary ? 'btn-secondary' : 'btn-primary'} btn-large`, text: 'Back to start', attrs: { type: 'button' }, on: { click: actions.home } }),
      ),
    ),
  );
}
