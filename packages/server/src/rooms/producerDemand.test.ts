import { describe, expect, it } from 'vitest';
import { demandOf } from './producerDemand.js';

describe('producer demand (dynacast)', () => {
  it('sends a video nobody has received yet, whole', () => {
    expect(demandOf([], 3)).toEqual({ wanted: true, maxSpatialLayer: null });
  });

  it('stops a video every receiver paused', () => {
    expect(demandOf([{ paused: true, layer: 2 }, { paused: true, layer: null }], 3)).toEqual({ wanted: false, maxSpatialLayer: null });
  });

  it('stops the simulcast layers above the biggest tile that shows it', () => {
    expect(demandOf([{ paused: false, layer: 0 }], 3)).toEqual({ wanted: true, maxSpatialLayer: 0 });
    expect(demandOf([{ paused: false, layer: 0 }, { paused: false, layer: 1 }], 3)).toEqual({ wanted: true, maxSpatialLayer: 1 });
    // A paused receiver's big tile does not count.
    expect(demandOf([{ paused: false, layer: 0 }, { paused: true, layer: 2 }], 3)).toEqual({ wanted: true, maxSpatialLayer: 0 });
  });

  it('sends every layer when one receiver wants the top one or has not said its size', () => {
    expect(demandOf([{ paused: false, layer: 0 }, { paused: false, layer: 2 }], 3)).toEqual({ wanted: true, maxSpatialLayer: null });
    expect(demandOf([{ paused: false, layer: 0 }, { paused: false, layer: null }], 3)).toEqual({ wanted: true, maxSpatialLayer: null });
    // Out of range asks are clamped.
    expect(demandOf([{ paused: false, layer: 7 }], 3)).toEqual({ wanted: true, maxSpatialLayer: null });
  });

  it('has no layers to thin for a single-encoding video', () => {
    expect(demandOf([{ paused: false, layer: 0 }], 1)).toEqual({ wanted: true, maxSpatialLayer: null });
  });
});
