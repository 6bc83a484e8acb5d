import { describe, expect, it } from 'vitest';
import { DefaultActiveSpeakerPolicy, ActiveSpeakerDetector } from './activeSpeakerPolicy.js';
import { ConnectionMonitor, type StatsSample } from './connectionMonitor.js';
import { MeetingSessionConfiguration } from './meetingSessionConfiguration.js';
import { MeetingSessionStatus, MeetingSessionStatusCode } from './meetingSessionStatus.js';
import { DefaultModality } from './modality.js';
import { RealtimeController } from './realtimeController.js';

describe('MeetingSessionConfiguration', () => {
  const meeting = { Meeting: { MeetingId: 'm1', ExternalMeetingId: 'ext', MediaPlacement: { SignalingUrl: 'ws://h/signaling', AudioHostUrl: 'h' } } };
  const attendee = { Attendee: { AttendeeId: 'a1', ExternalUserId: 'u1', JoinToken: 'tok' } };

  it('reads CreateMeeting/CreateAttendee responses in their wrapped, bare and camelCase forms', () => {
    for (const [m, a] of [[meeting, attendee], [meeting.Meeting, attendee.Attendee], [{ meeting: { meetingId: 'm1', mediaPlacement: { signalingUrl: 'ws://h/signaling' } } }, { attendee: { attendeeId: 'a1', joinToken: 'tok' } }]] as const) {
      const c = new MeetingSessionConfiguration(m, a);
      expect(c.meetingId).toBe('m1');
      expect(c.credentials?.attendeeId).toBe('a1');
      expect(c.connectionDetails()).toEqual({ signalingUrl: 'ws://h/signaling', token: 'tok' });
    }
  });

  it('names what is missing, and derives the content-share attendee', () => {
    expect(() => new MeetingSessionConfiguration({ Meeting: { MeetingId: 'm' } }, attendee).connectionDetails()).toThrow(/SignalingUrl/);
    const content = new MeetingSessionConfiguration(meeting, attendee).createContentShareMeetingSessionConfiguration();
    expect(content.credentials?.attendeeId).toBe('a1#content');
    expect(new DefaultModality(content.credentials!.attendeeId!).base()).toBe('a1');
    expect(new DefaultModality('a1#content').hasModality(DefaultModality.MODALITY_CONTENT)).toBe(true);
    expect(new DefaultModality('a1').modality()).toBe('');
  });
});

describe('MeetingSessionStatus', () => {
  it('keeps Chime 3.x\'s numbers (older names as aliases) and maps server end reasons and join errors', () => {
    expect(MeetingSessionStatusCode.Left).toBe(1);
    expect(MeetingSessionStatusCode.AudioCallEnded).toBe(5);
    expect(MeetingSessionStatusCode.MeetingEnded).toBe(5);
    expect(MeetingSessionStatus.fromEndReason('AudioCallEnded').statusCode()).toBe(5);
    expect(MeetingSessionStatus.fromEndReason('AudioAttendeeRemoved').isTerminal()).toBe(true);
    expect(MeetingSessionStatus.fromJoinError('token_invalid').statusCode()).toBe(MeetingSessionStatusCode.AudioAuthenticationRejected);
    expect(MeetingSessionStatus.fromJoinError('signaling_unreachable').isFailure()).toBe(true);
    expect(new MeetingSessionStatus(MeetingSessionStatusCode.Left).isFailure()).toBe(false);
  });
});

describe('RealtimeController', () => {
  it('reports only what changed, with null for the rest; a muted attendee reads volume 0', () => {
    const rt = new RealtimeController();
    const calls: unknown[][] = [];
    rt.realtimeSubscribeToVolumeIndicator('x', (...args) => calls.push(args.slice(0, 4)));
    rt.handleVolume('x', { volume: 0.5, muted: false });
    rt.handleVolume('x', { volume: 0.5, muted: false });
    rt.handleVolume('x', { volume: 0.7, muted: false });
    rt.handleVolume('x', { signalStrength: 1 });
    rt.handleVolume('x', { muted: true });
    expect(calls).toEqual([
      ['x', 0.5, false, null],
      ['x', 0.7, null, null],
      ['x', null, null, 1],
      ['x', 0, true, null],
    ]);
  });

  it('cannot unmute when unmuting is disabled; presence replays to late subscribers', () => {
    const rt = new RealtimeController();
    const applied: boolean[] = [];
    rt.applyMute = (m) => applied.push(m);
    rt.realtimeSetCanUnmuteLocalAudio(false);
    rt.realtimeMuteLocalAudio();
    expect(rt.realtimeUnmuteLocalAudio()).toBe(false);
    expect(rt.realtimeIsLocalAudioMuted()).toBe(true);
    expect(applied).toEqual([true]);
    rt.handlePresence('a', true, 'ua');
    const seen: unknown[] = [];
    rt.realtimeSubscribeToAttendeeIdPresence((id, present) => seen.push([id, present]));
    rt.handlePresence('a', false, 'ua');
    expect(seen).toEqual([['a', true], ['a', false]]);
  });
});

describe('active speaker', () => {
  it('ranks by smoothed volume and lets a new loud speaker take over', () => {
    const detector = new ActiveSpeakerDetector();
    const lists: string[][] = [];
    detector.subscribe(new DefaultActiveSpeakerPolicy(), (ids) => lists.push(ids));
    for (let i = 0; i < 10; i++) {
      detector.handleVolume('a', 0.8, false);
      detector.handleVolume('b', 0, false);
    }
    expect(lists.at(-1)).toEqual(['a']);
    for (let i = 0; i < 10; i++) {
      detector.handleVolume('a', 0, false);
      detector.handleVolume('b', 0.8, false);
    }
    expect(lists.at(-1)![0]).toBe('b');
    for (let i = 0; i < 40; i++) detector.handleVolume('b', 0.8, true);
    expect(lists.at(-1)).not.toContain('b');
    detector.close();
  });
});

describe('ConnectionMonitor', () => {
  const sample = (t: number, received: number, lost: number, bytes: number, packets: number): StatsSample => ({
    timestampMs: t * 1000,
    video: { bytesSent: bytes, packetsSent: packets },
    availableSendBitrate: 1_000_000,
    availableReceiveBitrate: 2_000_000,
    roundTripTimeMs: 20,
    audio: new Map([['b', { packetsReceived: received, packetsLost: lost }]]),
  });

  it('computes send health and bandwidth, and turns sustained audio loss into poor, then good again', () => {
    const got: string[] = [];
    const monitor = new ConnectionMonitor({
      sendHealth: (kbps, pps) => got.push(`health ${kbps} ${pps}`),
      sendBandwidth: (n, o) => got.push(`send ${o}->${n}`),
      receiveBandwidth: (n, o) => got.push(`recv ${o}->${n}`),
      poor: (video) => got.push(`poor ${video}`),
      good: () => got.push('good'),
      signalStrength: (id, s) => got.push(`strength ${id} ${s}`),
      metrics: () => undefined,
    });
    let received = 0, lost = 0, bytes = 0, packets = 0;
    monitor.handleSample(sample(0, received, lost, bytes, packets));
    // 1 s of 50 audio packets, none lost, and 250 kbit/s of video in 40 packets.
    monitor.handleSample(sample(1, (received += 50), lost, (bytes += 31_250), (packets += 40)));
    expect(got).toEqual(['health 250 40', 'send 0->1000', 'recv 0->2000', 'strength b 1']);
    got.length = 0;
    // Then 20% loss for three seconds.
    for (let t = 2; t <= 4; t++) monitor.handleSample(sample(t, (received += 40), (lost += 10), (bytes += 31_250), (packets += 40)));
    expect(got.filter((g) => !g.startsWith('health'))).toEqual(['strength b 0.5', 'poor true']);
    got.length = 0;
    for (let t = 5; t <= 9; t++) monitor.handleSample(sample(t, (received += 50), lost, (bytes += 31_250), (packets += 40)));
    expect(got.filter((g) => !g.startsWith('health'))).toEqual(['strength b 1', 'good']);
  });
});
