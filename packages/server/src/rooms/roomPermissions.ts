import { ErrorCode, Permission, type RoomMethod } from '@parley/protocol';
import { ParleyError } from '../errors.js';
import type { Member } from './member.js';

/**
 * Who is calling a room method: a member of the room (its token's permissions), or a backend
 * through the server SDK (the API secret grants everything; a project token lists permissions).
 */
export type RoomCaller =
  | { kind: 'member'; member: Member }
  | { kind: 'server'; permissions: ReadonlySet<string> | 'all' };

/** Methods acting on a member: [permission when it is yourself, permission for someone else]. */
const MEMBER_METHODS: Partial<Record<RoomMethod, readonly [Permission, Permission]>> = {
  'room.audioMute': [Permission.SelfAudioMute, Permission.MemberAudioMute],
  'room.audioUnmute': [Permission.SelfAudioUnmute, Permission.MemberAudioUnmute],
  'room.videoMute': [Permission.SelfVideoMute, Permission.MemberVideoMute],
  'room.videoUnmute': [Permission.SelfVideoUnmute, Permission.MemberVideoUnmute],
  'room.deaf': [Permission.SelfDeaf, Permission.MemberDeaf],
  'room.undeaf': [Permission.SelfUndeaf, Permission.MemberUndeaf],
  'room.setInputVolume': [Permission.SelfSetInputVolume, Permission.MemberSetInputVolume],
  'room.setOutputVolume': [Permission.SelfSetOutputVolume, Permission.MemberSetOutputVolume],
  'room.setInputSensitivity': [Permission.SelfSetInputSensitivity, Permission.MemberSetInputSensitivity],
  'room.setMemberMeta': [Permission.SelfSetMeta, Permission.MemberSetMeta],
  'room.updateMemberMeta': [Permission.SelfSetMeta, Permission.MemberSetMeta],
  'room.deleteMemberMeta': [Permission.SelfSetMeta, Permission.MemberSetMeta],
  'room.setMemberPosition': [Permission.MemberSetPosition, Permission.MemberSetPosition],
};

/** Methods on the room (null: any member of the room may call it). */
const ROOM_METHODS: Partial<Record<RoomMethod, Permission | null>> = {
  'room.subscribe': null,
  'room.getMembers': null,
  'room.getMeta': null,
  'room.getMemberMeta': null,
  'room.setMeta': Permission.SetMeta,
  'room.updateMeta': Permission.SetMeta,
  'room.deleteMeta': Permission.SetMeta,
  'room.removeMember': Permission.MemberRemove,
  'room.removeAllMembers': Permission.MemberRemove,
  'room.lock': Permission.Lock,
  'room.unlock': Permission.Unlock,
  'room.promote': Permission.MemberPromote,
  'room.demote': Permission.MemberDemote,
  'room.setPrioritizeHandraise': Permission.PrioritizeHandraise,
  'room.getLayouts': Permission.ListAvailableLayouts,
  'room.setLayout': Permission.SetLayout,
  'room.setPositions': Permission.SetPosition,
  'room.startRecording': Permission.Recording,
  'room.getRecordings': Permission.Recording,
  'room.recording.pause': Permission.Recording,
  'room.recording.resume': Permission.Recording,
  'room.recording.stop': Permission.Recording,
  'room.play': Permission.Playback,
  'room.getPlaybacks': Permission.Playback,
  'room.playback.pause': Permission.Playback,
  'room.playback.resume': Permission.Playback,
  'room.playback.stop': Permission.Playback,
  'room.playback.setVolume': Permission.Playback,
  'room.playback.seek': Permission.Playback,
  'room.startStream': Permission.Stream,
  'room.getStreams': Permission.Stream,
  'room.stream.stop': Permission.Stream,
};

/**
 * The permission a call needs. `self`: the target member is the caller. `value`: for the two
 * methods whose permission depends on the direction (raise/lower hand, hide/show muted video).
 */
export function requiredPermission(method: RoomMethod, self: boolean, value?: boolean): Permission | null {
  if (method === 'room.setRaisedHand') return value ? Permission.RaiseHand : Permission.LowerHand;
  if (method === 'room.setHideVideoMuted') return value ? Permission.HideVideoMuted : Permission.ShowVideoMuted;
  const pair = MEMBER_METHODS[method];
  if (pair) return self ? pair[0] : pair[1];
  const room = ROOM_METHODS[method];
  if (room === undefined) throw new ParleyError(ErrorCode.UnknownMethod, `unknown room method ${method}`);
  return room;
}

export function callerCan(caller: RoomCaller, permission: Permission): boolean {
  if (caller.kind === 'member') return caller.member.can(permission);
  return caller.permissions === 'all' || caller.permissions.has(permission);
}

/** Throws forbidden (and nothing has changed yet) when the caller lacks the permission. */
export function checkPermission(caller: RoomCaller, method: RoomMethod, self: boolean, value?: boolean): void {
  const permission = requiredPermission(method, self, value);
  if (permission && !callerCan(caller, permission)) {
    throw new ParleyError(ErrorCode.Forbidden, `${method.slice(5)} needs the permission ${permission}`);
  }
}
