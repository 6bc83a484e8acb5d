import { describe, expect, it } from 'vitest';
import { DataMessage, RealtimeController } from './realtimeController.js';
import { VideoTileController } from './videoTileController.js';
import type { VideoTileState } from './videoTileState.js';

/** Just enough of an HTMLVideoElement for the tile controller (no DOM in unit tests). */
function fakeElement(name: string): HTMLVideoElement {
  return {
    name,
    clientWidth: 320,
    clientHeight: 180,
    srcObject: null,
    style: { transform: '' },
    muted: false,
    autoplay: false,
    playsInline: false,
    play: () => Promise.resolve(),
    pause: () => undefined,
  } as unknown as HTMLVideoElement;
}

function fakeStream(id: string): MediaStream {
  return { id, getVideoTracks: () => [] } as unknown as MediaStream;
}

function tiles() {
  const updates: VideoTileState[] = [];
  const removed: number[] = [];
  const controller = new VideoTileController({ didUpdate: (s) => updates.push(s), wasRemoved: (id) => removed.push(id) });
  return { controller, updates, removed };
}

describe('VideoTileController binds as Chime 3.x\'s DefaultVideoTileController', () => {
  it('binding an element another tile holds: no update for that tile, it keeps the element, the element shows the new tile', () => {
    const { controller, updates } = tiles();
    const a = controller.add({ attendeeId: 'a', externalUserId: 'A', localTile: false, isContent: false }, fakeStream('sa'));
    const b = controller.add({ attendeeId: 'b', externalUserId: 'B', localTile: false, isContent: false }, fakeStream('sb'));
    const element = fakeElement('e');
    controller.bind(a, element);
    updates.length = 0;
    controller.bind(b, element);
    expect(updates.map((u) => u.tileId)).toEqual([b]);
    expect(controller.get(a)?.boundVideoElement).toBe(element);
    expect(controller.get(b)?.boundVideoElement).toBe(element);
    expect((element.srcObject as MediaStream | null)?.id).toBe('sb');
  });

  it('binding the same element again sends no update; removing the old tile leaves the element to the new one', () => {
    const { controller, updates, removed } = tiles();
    const a = controller.add({ attendeeId: 'a', externalUserId: 'A', localTile: false, isContent: false }, fakeStream('sa'));
    const b = controller.add({ attendeeId: 'b', externalUserId: 'B', localTile: false, isContent: false }, fakeStream('sb'));
    const element = fakeElement('e');
    controller.bind(a, element);
    controller.bind(b, element);
    updates.length = 0;
    controller.bind(b, element);
    expect(updates).toEqual([]);
    controller.remove(a);
    expect(removed).toEqual([a]);
    expect((element.srcObject as MediaStream | null)?.id).toBe('sb');
  });

  it('a tile whose video stops does not blank an element another tile took over', () => {
    const { controller } = tiles();
    const a = controller.add({ attendeeId: 'a', externalUserId: 'A', localTile: false, isContent: false }, fakeStream('sa'));
    const b = controller.add({ attendeeId: 'b', externalUserId: 'B', localTile: false, isContent: false }, fakeStream('sb'));
    const element = fakeElement('e');
    controller.bind(a, element);
    controller.bind(b, element);
    controller.setStream(a, null);
    expect((element.srcObject as MediaStream | null)?.id).toBe('sb');
  });

  it('removeByAttendee removes that attendee\'s tiles and returns their ids; VideoTile objects read the live state', () => {
    const { controller, removed } = tiles();
    const a1 = controller.add({ attendeeId: 'a', externalUserId: 'A', localTile: false, isContent: false }, fakeStream('s1'));
    const b = controller.add({ attendeeId: 'b', externalUserId: 'B', localTile: false, isContent: false }, fakeStream('s2'));
    const tile = controller.tile(b)!;
    expect(tile.id()).toBe(b);
    expect(tile.state().boundAttendeeId).toBe('b');
    expect(tile.boundExternalUserId).toBe('B');
    expect(tile.markPoorConnection()).toBe(true);
    expect(tile.markPoorConnection()).toBe(false);
    expect(tile.stateRef().poorConnection).toBe(true);
    expect(controller.removeByAttendee('a')).toEqual([a1]);
    expect(removed).toEqual([a1]);
    expect(controller.all().map((t) => t.tileId)).toEqual([b]);
  });
});

describe('RealtimeController presence on leave (as Chime: no callbacks from stop)', () => {
  it('reset() tells nobody that anyone left, and the next session announces everyone again', () => {
    const rt = new RealtimeController();
    const calls: Array<[string, boolean, string | undefined]> = [];
    rt.realtimeSubscribeToAttendeeIdPresence((id, present, ext) => calls.push([id, present, ext]));
    rt.handlePresence('me', true, 'Me');
    rt.handlePresence('you', true, 'You');
    rt.reset();
    expect(calls).toEqual([['me', true, 'Me'], ['you', true, 'You']]);
    expect(rt.presentAttendees()).toEqual([]);
    rt.handlePresence('me', true, 'Me');
    expect(calls.at(-1)).toEqual(['me', true, 'Me']);
  });

  it('a leave carries the name the attendee joined with', () => {
    const rt = new RealtimeController();
    const calls: unknown[][] = [];
    rt.realtimeSubscribeToAttendeeIdPresence((...args) => calls.push(args));
    rt.handlePresence('you', true, 'You');
    rt.handlePresence('you', false, '', true);
    expect(calls).toEqual([['you', true, 'You', false], ['you', false, 'You', true]]);
  });

  it('a throwing callback goes to the fatal-error subscribers; bad data messages are reported there, not thrown (Chime)', () => {
    const rt = new RealtimeController();
    const errors: string[] = [];
    rt.realtimeSubscribeToFatalError((e) => errors.push(e.message));
    rt.realtimeSubscribeToAttendeeIdPresence(() => {
      throw new Error('app bug');
    });
    rt.handlePresence('x', true, 'X');
    expect(errors).toEqual(['app bug']);
    const sent: Array<[string, string, number | undefined]> = [];
    rt.sendDataMessage = (topic, data, lifetimeMs) => sent.push([topic, new TextDecoder().decode(data), lifetimeMs]);
    rt.realtimeSendDataMessage('chat', 'hi');
    rt.realtimeSendDataMessage('state_1', { a: 1 }, 5000);
    rt.realtimeSendDataMessage('bad topic!', 'x');
    rt.realtimeSendDataMessage('big', new Uint8Array(2049));
    rt.realtimeSendDataMessage('neg', 'x', -1);
    expect(sent).toEqual([['chat', 'hi', undefined], ['state_1', '{"a":1}', 5000]]);
    expect(errors.slice(1)).toEqual(['Invalid topic', 'Data size has to be less than 2048 bytes', 'The life time of the message has to be non negative']);
  });

  it('received data messages go to their topic\'s subscribers, a throwing one does not stop the next', async () => {
    const rt = new RealtimeController();
    const got: string[] = [];
    rt.realtimeSubscribeToReceiveDataMessage('chat', () => {
      throw new Error('first subscriber bug');
    });
    rt.realtimeSubscribeToReceiveDataMessage('chat', (m) => got.push(`${m.senderAttendeeId}:${m.text()}`));
    rt.realtimeSubscribeToReceiveDataMessage('other', (m) => got.push(`other:${m.text()}`));
    const rejections: unknown[] = [];
    const onRejection = (e: unknown) => rejections.push(e);
    process.on('unhandledRejection', onRejection);
    rt.handleDataMessage(new DataMessage(1, 'chat', new TextEncoder().encode('hello'), 'ann', 'Ann'));
    await new Promise((r) => setTimeout(r, 10));
    process.off('unhandledRejection', onRejection);
    expect(got).toEqual(['ann:hello']);
    expect(rejections).toHaveLength(1);
    rt.realtimeUnsubscribeFromReceiveDataMessage('chat');
    rt.handleDataMessage(new DataMessage(2, 'chat', new TextEncoder().encode('again'), 'ann', 'Ann'));
    expect(got).toEqual(['ann:hello']);
  });

  it('local signal strength subscribers hear only your own attendee', () => {
    const rt = new RealtimeController();
    const heard: number[] = [];
    rt.localAttendeeId = 'me';
    rt.realtimeSubscribeToLocalSignalStrengthChange((s) => heard.push(s));
    rt.handleVolume('you', { signalStrength: 0.5 });
    rt.handleVolume('me', { signalStrength: 1 });
    rt.handleVolume('me', { signalStrength: 1 });
    rt.handleVolume('me', { signalStrength: 0 });
    expect(heard).toEqual([1, 0]);
  });
});
