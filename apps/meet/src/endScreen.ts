import { SessionEndReason } from '@parley/client';
import { h } from './dom.js';
import { icons } from './icons.js';

export type MeetingExit =
  | { kind: 'left' }
  | { kind: 'ended'; reason: string; message: string }
  | { kind: 'disconnected'; code: number; reason: string };

interface Copy {
  icon: string;
  tone: 'neutral' | 'warn' | 'error';
  title: string;
  body: string;
  canRejoin: boolean;
}

export function describeExit(exit: MeetingExit): Copy {
  if (exit.kind === 'left') return { icon: icons.door, tone: 'neutral', title: 'You left the meeting', body: 'Thanks for joining. You can hop back in any time.', canRejoin: true };
  if (exit.kind === 'disconnected') {
    return { icon: icons.wifiOff, tone: 'error', title: 'Connection lost', body: 'The connection to the meeting server dropped. Check your network, then rejoin.', canRejoin: true };
  }
  switch (exit.reason) {
    case SessionEndReason.AudioCallEnded:
      return { icon: icons.leave, tone: 'neutral', title: 'The meeting has ended', body: 'This meeting was ended for everyone.', canRejoin: false };
    case SessionEndReason.Removed:
      return { icon: icons.alert, tone: 'warn', title: 'You were removed from the meeting', body: 'Someone with permission removed you from this meeting.', canRejoin: false };
    case SessionEndReason.AudioJoinedFromAnotherDevice:
      return { icon: icons.present, tone: 'neutral', title: 'You joined from another tab or device', body: 'This meeting continues in your newer window.', canRejoin: true };
    default:
      return { icon: icons.alert, tone: 'warn', title: 'You are no longer in the meeting', body: exit.message || 'The server ended your session.', canRejoin: true };
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
    { class: 'end', attrs: { 'data-exit': exit.kind === 'ended' ? exit.reason : exit.kind } },
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
