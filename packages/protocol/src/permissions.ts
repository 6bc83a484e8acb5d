/**
 * Permission names, in SignalWire's style. Join tokens carry a list of them; the server checks
 * every request against the caller's list.
 */
export const Permission = {
  SelfAudioMute: 'room.self.audio_mute',
  SelfAudioUnmute: 'room.self.audio_unmute',
  SelfVideoMute: 'room.self.video_mute',
  SelfVideoUnmute: 'room.self.video_unmute',
  SelfDeaf: 'room.self.deaf',
  SelfUndeaf: 'room.self.undeaf',
  SelfSetInputVolume: 'room.self.set_input_volume',
  SelfSetOutputVolume: 'room.self.set_output_volume',
  SelfSetInputSensitivity: 'room.self.set_input_sensitivity',
  SelfScreenshare: 'room.self.screenshare',
  SelfSetMeta: 'room.self.set_meta',
  MemberAudioMute: 'room.member.audio_mute',
  MemberAudioUnmute: 'room.member.audio_unmute',
  MemberVideoMute: 'room.member.video_mute',
  MemberVideoUnmute: 'room.member.video_unmute',
  MemberDeaf: 'room.member.deaf',
  MemberUndeaf: 'room.member.undeaf',
  MemberRemove: 'room.member.remove',
  MemberSetInputVolume: 'room.member.set_input_volume',
  MemberSetOutputVolume: 'room.member.set_output_volume',
  MemberSetInputSensitivity: 'room.member.set_input_sensitivity',
  MemberSetMeta: 'room.member.set_meta',
  MemberPromote: 'room.member.promote',
  MemberDemote: 'room.member.demote',
  ListAvailableLayouts: 'room.list_available_layouts',
  SetLayout: 'room.set_layout',
  SetPosition: 'room.set_position',
  MemberSetPosition: 'room.member.set_position',
  HideVideoMuted: 'room.hide_video_muted',
  ShowVideoMuted: 'room.show_video_muted',
  SetMeta: 'room.set_meta',
  Lock: 'room.lock',
  Unlock: 'room.unlock',
  Recording: 'room.recording',
  Playback: 'room.playback',
  Stream: 'room.stream',
  RaiseHand: 'video.member.raisehand',
  LowerHand: 'video.member.lowerhand',
  PrioritizeHandraise: 'video.prioritize_handraise',
  /** Ending the meeting for everyone (Chime's DeleteMeeting from inside the session). */
  EndRoom: 'room.end',
} as const;
export type Permission = (typeof Permission)[keyof typeof Permission];

export const ALL_PERMISSIONS: readonly Permission[] = Object.values(Permission);

/** What a participant may do about themselves: the default for Chime-style attendees. */
export const SELF_PERMISSIONS: readonly Permission[] = [
  Permission.SelfAudioMute,
  Permission.SelfAudioUnmute,
  Permission.SelfVideoMute,
  Permission.SelfVideoUnmute,
  Permission.SelfDeaf,
  Permission.SelfUndeaf,
  Permission.SelfSetInputVolume,
  Permission.SelfSetOutputVolume,
  Permission.SelfSetInputSensitivity,
  Permission.SelfScreenshare,
  Permission.SelfSetMeta,
  Permission.RaiseHand,
  Permission.LowerHand,
];

export const Role = { Member: 'member', Audience: 'audience' } as const;
export type Role = (typeof Role)[keyof typeof Role];
