/**
 * Every RoomSession method with the permission it needs, as data both the browser and the
 * server SDK run. "$target" / "$victim" stand for member ids; `self` rows act on the caller
 * (browser only). Rows are ordered so each allowed call leaves the room usable for the next.
 */
export interface MatrixRow {
  method: string;
  args: unknown[];
  permission: string;
  self?: boolean;
  /** What the allowed call gives: ok (default), or media_error for a URL nothing answers at. */
  outcome?: 'ok' | 'media_error';
}

const t = (extra: Record<string, unknown> = {}) => [{ memberId: '$target', ...extra }];

export const MATRIX: MatrixRow[] = [
  { method: 'getLayouts', args: [], permission: 'room.list_available_layouts' },
  { method: 'setLayout', args: [{ name: '2x2' }], permission: 'room.set_layout' },
  { method: 'setPositions', args: [{ positions: { $target: 'standard-1' } }], permission: 'room.set_position' },
  { method: 'setMemberPosition', args: [{ memberId: '$target', position: 'auto' }], permission: 'room.member.set_position' },
  { method: 'audioMute', args: t(), permission: 'room.member.audio_mute' },
  { method: 'audioUnmute', args: t(), permission: 'room.member.audio_unmute' },
  { method: 'videoMute', args: t(), permission: 'room.member.video_mute' },
  { method: 'videoUnmute', args: t(), permission: 'room.member.video_unmute' },
  { method: 'deaf', args: t(), permission: 'room.member.deaf' },
  { method: 'undeaf', args: t(), permission: 'room.member.undeaf' },
  { method: 'setInputVolume', args: t({ volume: -10 }), permission: 'room.member.set_input_volume' },
  { method: 'setOutputVolume', args: t({ volume: -10 }), permission: 'room.member.set_output_volume' },
  { method: 'setInputSensitivity', args: t({ value: 80 }), permission: 'room.member.set_input_sensitivity' },
  { method: 'setMemberMeta', args: t({ meta: { email: 'joe@example.com', n: 1 } }), permission: 'room.member.set_meta' },
  { method: 'updateMemberMeta', args: t({ meta: { n: 2 } }), permission: 'room.member.set_meta' },
  { method: 'deleteMemberMeta', args: t({ keys: ['n'] }), permission: 'room.member.set_meta' },
  { method: 'audioMute', args: [], permission: 'room.self.audio_mute', self: true },
  { method: 'audioUnmute', args: [], permission: 'room.self.audio_unmute', self: true },
  { method: 'videoMute', args: [], permission: 'room.self.video_mute', self: true },
  { method: 'videoUnmute', args: [], permission: 'room.self.video_unmute', self: true },
  { method: 'deaf', args: [], permission: 'room.self.deaf', self: true },
  { method: 'undeaf', args: [], permission: 'room.self.undeaf', self: true },
  { method: 'setInputVolume', args: [{ volume: 5 }], permission: 'room.self.set_input_volume', self: true },
  { method: 'setOutputVolume', args: [{ volume: 5 }], permission: 'room.self.set_output_volume', self: true },
  { method: 'setInputSensitivity', args: [{ value: 40 }], permission: 'room.self.set_input_sensitivity', self: true },
  { method: 'setMemberMeta', args: [{ meta: { me: 1 } }], permission: 'room.self.set_meta', self: true },
  { method: 'updateMemberMeta', args: [{ meta: { me: 2 } }], permission: 'room.self.set_meta', self: true },
  { method: 'deleteMemberMeta', args: [{ keys: ['me'] }], permission: 'room.self.set_meta', self: true },
  { method: 'setMeta', args: [{ foo: 'bar', baz: true }], permission: 'room.set_meta' },
  { method: 'updateMeta', args: [{ baz: false, t: 10 }], permission: 'room.set_meta' },
  { method: 'deleteMeta', args: [['foo']], permission: 'room.set_meta' },
  { method: 'lock', args: [], permission: 'room.lock' },
  { method: 'unlock', args: [], permission: 'room.unlock' },
  { method: 'setRaisedHand', args: t({ raised: true }), permission: 'video.member.raisehand' },
  { method: 'setRaisedHand', args: t({ raised: false }), permission: 'video.member.lowerhand' },
  { method: 'setPrioritizeHandraise', args: [true], permission: 'video.prioritize_handraise' },
  { method: 'setHideVideoMuted', args: [true], permission: 'room.hide_video_muted' },
  { method: 'setHideVideoMuted', args: [false], permission: 'room.show_video_muted' },
  { method: 'demote', args: t({ mediaAllowed: 'all' }), permission: 'room.member.demote' },
  { method: 'promote', args: t({ mediaAllowed: 'all', permissions: ['room.self.audio_mute'] }), permission: 'room.member.promote' },
  { method: 'startRecording', args: [], permission: 'room.recording' },
  { method: 'getRecordings', args: [], permission: 'room.recording' },
  { method: 'play', args: [{ url: 'http://127.0.0.1:1/clip.mp4' }], permission: 'room.playback', outcome: 'media_error' },
  { method: 'getPlaybacks', args: [], permission: 'room.playback' },
  { method: 'startStream', args: [{ url: 'rtmp://127.0.0.1:1/live' }], permission: 'room.stream', outcome: 'media_error' },
  { method: 'getStreams', args: [], permission: 'room.stream' },
  { method: 'removeMember', args: [{ memberId: '$victim' }], permission: 'room.member.remove' },
];

/** Methods any member of the room may call. */
export const FREE: Array<{ method: string; args: unknown[] }> = [
  { method: 'subscribe', args: [] },
  { method: 'getMembers', args: [] },
  { method: 'getMeta', args: [] },
  { method: 'getMemberMeta', args: [{ memberId: '$target' }] },
];

export function bind(args: unknown[], ids: { $target: string; $victim: string }): unknown[] {
  return JSON.parse(JSON.stringify(args).replaceAll('$target', ids.$target).replaceAll('$victim', ids.$victim));
}
