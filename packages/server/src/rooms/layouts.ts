import { LAYOUT_NAMES, type LayoutLayer } from '@parley/protocol';

/** A member as the layout sees it. */
export interface LayoutCandidate {
  id: string;
  requestedPosition: string;
  videoMuted: boolean;
  handraised: boolean;
  handraisedAt: number;
  joinedAt: number;
}

export interface LayoutOptions {
  hideVideoMuted: boolean;
  prioritizeHandraise: boolean;
}

interface Slot {
  x: number;
  y: number;
  width: number;
  height: number;
  position: string;
  reserved: boolean;
}

export function isLayoutName(name: string): boolean {
  return LAYOUT_NAMES.includes(name);
}

const round = (n: number) => Math.round(n * 1000) / 1000;

function grid(cols: number, rows: number, count = cols * rows): Slot[] {
  const slots: Slot[] = [];
  for (let i = 0; i < count; i++) {
    const c = i % cols;
    const r = Math.floor(i / cols);
    slots.push({ x: round((c * 100) / cols), y: round((r * 100) / rows), width: round(100 / cols), height: round(100 / rows), position: `standard-${i + 1}`, reserved: false });
  }
  return slots;
}

/** One big reserved slot on top and a centred row of `small` standard slots under it. */
function highlight(small: number): Slot[] {
  if (small <= 0) return [{ x: 0, y: 0, width: 100, height: 100, position: 'reserved-1', reserved: true }];
  const w = Math.min(25, 100 / small);
  const left = (100 - w * small) / 2;
  const slots: Slot[] = [{ x: 12.5, y: 0, width: 75, height: 75, position: 'reserved-1', reserved: true }];
  for (let i = 0; i < small; i++) slots.push({ x: round(left + i * w), y: 75, width: round(w), height: 25, position: `standard-${i + 1}`, reserved: false });
  return slots;
}

/** The slots of a layout for `count` members wanting to be shown (responsive layouts adapt). */
export function layoutSlots(name: string, count: number): Slot[] {
  if (name === 'grid-responsive') {
    const n = Math.max(1, count);
    const cols = Math.ceil(Math.sqrt(n));
    return grid(cols, Math.ceil(n / cols), n);
  }
  if (name === 'highlight-1-responsive') return highlight(Math.max(0, count - 1));
  if (name === '5up') return highlight(4);
  const m = /^(\d+)x(\d+)$/.exec(name);
  if (m) return grid(Number(m[1]), Number(m[2]));
  return grid(1, 1);
}

/**
 * Places members in a layout. Members asking for a slot by name (reserved-N / standard-N) get it;
 * the others ("auto") fill the free slots in order: raised hands first when prioritised, then
 * by join time. off-canvas members, and video-muted ones when hideVideoMuted is set, are not shown.
 * Returns the layers (one per slot) and each member's current position.
 */
export function computeLayout(name: string, members: LayoutCandidate[], options: LayoutOptions): { layers: Omit<LayoutLayer, 'z_index'>[]; positions: Map<string, string> } {
  const shown = members.filter((m) => m.requestedPosition !== 'off-canvas' && !(options.hideVideoMuted && m.videoMuted));
  const slots = layoutSlots(name, shown.length);
  const occupant = new Map<string, string>();
  const positions = new Map<string, string>(members.map((m) => [m.id, 'off-canvas']));
  for (const m of shown) {
    if (m.requestedPosition === 'auto' || occupant.has(m.requestedPosition)) continue;
    if (!slots.some((s) => s.position === m.requestedPosition)) continue;
    occupant.set(m.requestedPosition, m.id);
    positions.set(m.id, m.requestedPosition);
  }
  const auto = shown
    .filter((m) => positions.get(m.id) === 'off-canvas')
    .sort((a, b) => {
      if (options.prioritizeHandraise && a.handraised !== b.handraised) return a.handraised ? -1 : 1;
      if (options.prioritizeHandraise && a.handraised && b.handraised) return a.handraisedAt - b.handraisedAt;
      return a.joinedAt - b.joinedAt;
    });
  for (const slot of slots) {
    if (occupant.has(slot.position)) continue;
    const next = auto.shift();
    if (!next) break;
    occupant.set(slot.position, next.id);
    positions.set(next.id, slot.position);
  }
  const layers = slots.map((slot, i) => {
    const memberId = occupant.get(slot.position) ?? null;
    return {
      layer_index: i,
      x: slot.x, y: slot.y, width: slot.width, height: slot.height,
      position: slot.position,
      reservation: slot.reserved ? slot.position : null,
      visible: memberId !== null,
      member_id: memberId,
    };
  });
  return { layers, positions };
}
