import type { types } from 'mediasoup';
import type { RoomEventData, RoomEventName, WebhookParticipant, WebhookRoom, WebhookTrack } from '@parley/protocol';
import type { Member } from '../rooms/member.js';
import type { RoomControl } from '../rooms/roomControl.js';
import type { RoomManager } from '../rooms/roomManager.js';
import { producerTag } from '../sfu/sfuPeer.js';
import type { Telemetry } from './telemetry.js';

/**
 * Turns what the rooms layer reports (RoomManager's roomStarted/roomEvent, each Room's member
 * and producer events) into the telemetry sink's lifecycle events. Returns a detach function.
 */
export function feedRoomTelemetry(rooms: RoomManager, telemetry: Telemetry): () => void {
  const onStarted = (control: RoomControl): void => {
    const room = control.room;
    const where = (): WebhookRoom => ({ id: room.session.roomId, session_id: control.id, name: room.session.name, meeting_id: room.meetingId });
    room.on('memberJoined', (member) => telemetry.lifecycle({ event: 'participant_joined', room: where(), participant: participantOf(member) }));
    room.on('memberLeft', (member, reason) => telemetry.lifecycle({ event: 'participant_left', room: where(), participant: participantOf(member), reason }));
    room.on('limitReached', (scope, reason) => telemetry.rateLimited(scope, reason));
    room.on('producerAdded', (producer) => {
      // Members' tracks only: a playback's producers are reported as playback_started/ended.
      const member = room.member(producerTag(producer).attendeeId);
      if (!member || member.peer.producers.get(producer.id) !== producer) return;
      const participant = participantOf(member);
      const track = trackOf(producer);
      telemetry.lifecycle({ event: 'track_published', room: where(), participant, track });
      producer.observer.once('close', () => telemetry.lifecycle({ event: 'track_unpublished', room: where(), participant, track }));
    });
  };
  const onEvent = (control: RoomControl, name: RoomEventName, data: RoomEventData<RoomEventName>): void => {
    const room: WebhookRoom = { id: control.room.session.roomId, session_id: control.id, name: control.room.session.name, meeting_id: control.room.meetingId };
    const d = data as Partial<RoomEventData<'recording.started'> & RoomEventData<'stream.started'> & RoomEventData<'playback.started'>>;
    switch (name) {
      case 'room.started': return void telemetry.lifecycle({ event: 'room_started', room });
      case 'room.ended': return void telemetry.lifecycle({ event: 'room_ended', room });
      case 'recording.started': return void (d.recording && telemetry.lifecycle({ event: 'recording_started', room, recording: d.recording }));
      case 'recording.ended': return void (d.recording && telemetry.lifecycle({ event: 'recording_ended', room, recording: d.recording }));
      case 'stream.started': return void (d.stream && telemetry.lifecycle({ event: 'stream_started', room, stream: d.stream }));
      case 'stream.ended': return void (d.stream && telemetry.lifecycle({ event: 'stream_ended', room, stream: d.stream }));
      case 'playback.started': return void (d.playback && telemetry.lifecycle({ event: 'playback_started', room, playback: d.playback }));
      case 'playback.ended': return void (d.playback && telemetry.lifecycle({ event: 'playback_ended', room, playback: d.playback }));
      default: return undefined;
    }
  };
  rooms.on('roomStarted', onStarted);
  rooms.on('roomEvent', onEvent);
  return () => {
    rooms.off('roomStarted', onStarted);
    rooms.off('roomEvent', onEvent);
  };
}

export function participantOf(member: Member): WebhookParticipant {
  return {
    id: member.attendeeId,
    external_user_id: member.externalUserId,
    name: member.name,
    type: member.isContent ? 'screen' : member.role,
    joined_at: member.joinedAt / 1000,
  };
}

function trackOf(producer: types.Producer): WebhookTrack {
  const tag = producerTag(producer);
  return {
    id: producer.id,
    kind: producer.kind,
    source: tag.source,
    mime_type: producer.rtpParameters.codecs[0]?.mimeType ?? '',
    simulcast: (producer.rtpParameters.encodings?.length ?? 1) > 1,
    ...(tag.width && tag.height ? { width: tag.width, height: tag.height } : {}),
  };
}
