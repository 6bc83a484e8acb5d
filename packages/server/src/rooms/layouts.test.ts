import { describe, expect, it } from 'vitest';
import { LAYOUT_NAMES } from '@parley/protocol';
import { computeLayout, layoutSlots, type LayoutCandidate } from './layouts.js';

const member = (id: string, joinedAt: number, extra: Partial<LayoutCandidate> = {}): LayoutCandidate => ({
  id, requestedPosition: 'auto', videoMuted: false, handraised: false, handraisedAt: 0, joinedAt, ...extra,
});
const opts = { hideVideoMuted: false, prioritizeHandraise: false };

describe('layouts', () => {
  it('every listed layout has slots inside the canvas', () => {
    for (const name of LAYOUT_NAMES) {
      const slots = layoutSlots(name, 7);
      expect(slots.length, name).toBeGreaterThan(0);
      for (const s of slots) {
        expect(s.x + s.width, name).toBeLessThanOrEqual(100.001);
        expect(s.y + s.height, name).toBeLessThanOrEqual(100.001);
      }
    }
    expect(layoutSlots('10x10', 0)).toHaveLength(100);
    expect(layoutSlots('2x1', 0).map((s) => [s.x, s.width])).toEqual([[0, 50], [50, 50]]);
    expect(layoutSlots('5up', 0)).toHaveLength(5);
    expect(layoutSlots('grid-responsive', 5)).toHaveLength(5);
    expect(layoutSlots('highlight-1-responsive', 3).map((s) => s.position)).toEqual(['reserved-1', 'standard-1', 'standard-2']);
  });

  it('auto members fill slots in join order; extra members are off-canvas', () => {
    const { layers, positions } = computeLayout('2x1', [member('b', 2), member('a', 1), member('c', 3)], opts);
    expect(layers.map((l) => l.member_id)).toEqual(['a', 'b']);
    expect(positions.get('c')).toBe('off-canvas');
  });

  it('requested positions win; off-canvas and hidden muted video are not shown', () => {
    const members = [member('a', 1), member('b', 2, { requestedPosition: 'standard-1' }), member('c', 3, { requestedPosition: 'off-canvas' }), member('d', 4, { videoMuted: true })];
    expect(computeLayout('2x2', members, opts).layers.map((l) => l.member_id)).toEqual(['b', 'a', 'd', null]);
    const hidden = computeLayout('2x2', members, { ...opts, hideVideoMuted: true });
    expect(hidden.layers.map((l) => l.member_id)).toEqual(['b', 'a', null, null]);
    expect(hidden.positions.get('d')).toBe('off-canvas');
  });

  it('prioritised raised hands go first (earliest hand first), into the highlight', () => {
    const members = [member('a', 1), member('b', 2, { handraised: true, handraisedAt: 20 }), member('c', 3, { handraised: true, handraisedAt: 10 })];
    expect(computeLayout('highlight-1-responsive', members, opts).layers[0]!.member_id).toBe('a');
    const prioritised = computeLayout('highlight-1-responsive', members, { ...opts, prioritizeHandraise: true });
    expect(prioritised.layers.map((l) => l.member_id)).toEqual(['c', 'b', 'a']);
  });
});
