import { describe, expect, it } from 'vitest';
import { AUDIO_RESERVE_BPS, PRIORITY, chooseLayers, isRelaxed, layerForViewport, layersOf, pricedLayers, type ConsumerDemand, ProbeGate } from './layerPolicy.js';

/** The camera simulcast the SDK publishes for a 1280x720 track (audioVideoController CAMERA_ENCODINGS). */
const CAMERA = layersOf({
  rtpParameters: {
    codecs: [],
    encodings: [
      { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
      { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
      { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
    ],
  },
  appData: { width: 1280, height: 720 },
});

function video(id: string, viewport: { width: number; height: number } | null, extra: Partial<ConsumerDemand> = {}): ConsumerDemand {
  return { id, kind: 'video', source: 'camera', active: true, layers: CAMERA, temporalLayers: 3, viewport, maxSpatialLayer: null, ...extra };
}
function audio(id: string): ConsumerDemand {
  return { id, kind: 'audio', source: 'microphone', active: true, layers: [], temporalLayers: 1, viewport: null, maxSpatialLayer: null };
}

describe('layer policy', () => {
  it('derives layer sizes and ceilings from the encodings', () => {
    expect(CAMERA).toEqual([
      { width: 320, height: 180, bitrate: 150_000 },
      { width: 640, height: 360, bitrate: 500_000 },
      { width: 1280, height: 720, bitrate: 1_200_000 },
    ]);
    // Without sizes or scales: 1280x720 top, halving per layer.
    const bare = layersOf({ rtpParameters: { codecs: [], encodings: [{ rid: 'a' }, { rid: 'b' }] }, appData: {} });
    expect(bare.map((l) => l.width)).toEqual([640, 1280]);
  });

  it('picks the smallest layer covering the rendered size', () => {
    expect(layerForViewport(CAMERA, { width: 160, height: 90 })).toBe(0);
    expect(layerForViewport(CAMERA, { width: 320, height: 180 })).toBe(0);
    expect(layerForViewport(CAMERA, { width: 480, height: 270 })).toBe(1);
    expect(layerForViewport(CAMERA, { width: 1280, height: 720 })).toBe(2);
    expect(layerForViewport(CAMERA, { width: 3840, height: 2160 })).toBe(2);
    expect(layerForViewport(CAMERA, null)).toBe(2);
  });

  it('follows tile sizes when bandwidth is plentiful, and honours a layer cap', () => {
    const out = chooseLayers([video('small', { width: 160, height: 90 }), video('big', { width: 1280, height: 720 }), video('capped', null, { maxSpatialLayer: 1 })], null);
    expect(out.get('small')).toMatchObject({ spatialLayer: 0, fitsLayer: 0, temporalLayer: 2, priority: PRIORITY.camera });
    expect(out.get('big')).toMatchObject({ spatialLayer: 2, temporalLayer: 2 });
    expect(out.get('capped')).toMatchObject({ spatialLayer: 1 });
  });

  it('serves audio first, then shares the rest: screens before cameras, larger tiles before smaller', () => {
    const screen = video('screen', { width: 1280, height: 720 }, { source: 'screen' });
    const big = video('big', { width: 1280, height: 720 });
    const mid = video('mid', { width: 640, height: 360 });
    const budget = 2 * AUDIO_RESERVE_BPS + 1_200_000 + 500_000 + 150_000;
    const out = chooseLayers([audio('a1'), audio('a2'), mid, big, screen], budget);
    expect(out.get('screen')).toMatchObject({ fitsLayer: 2, spatialLayer: 2, priority: PRIORITY.screen });
    expect(out.get('big')).toMatchObject({ fitsLayer: 1, spatialLayer: 2 });
    // The mid tile wants layer 1: what fits is 0, it may probe up to 1 (never above what it needs).
    expect(out.get('mid')).toMatchObject({ fitsLayer: 0, spatialLayer: 1 });
    expect(out.get('a1')).toMatchObject({ priority: PRIORITY.audio });
  });

  it('never goes below the lowest layer, and prefers one layer above what fits so the estimate can climb', () => {
    const out = chooseLayers([audio('a'), video('cam1', null), video('cam2', null), video('screen', null, { source: 'screen' })], AUDIO_RESERVE_BPS + 300_000);
    for (const id of ['screen', 'cam1', 'cam2']) expect(out.get(id)).toMatchObject({ fitsLayer: 0, spatialLayer: 1, temporalLayer: 2 });
    expect(chooseLayers([video('tiny', { width: 100, height: 50 })], 10_000).get('tiny')).toMatchObject({ fitsLayer: 0, spatialLayer: 0 });
  });

  it('gives nothing of the budget to paused videos', () => {
    const out = chooseLayers([video('paused', null, { active: false }), video('live', null)], 1_200_000);
    expect(out.get('live')).toMatchObject({ fitsLayer: 2, spatialLayer: 2 });
  });

  it('is deterministic', () => {
    const input = [video('x', { width: 640, height: 360 }), video('y', { width: 640, height: 360 })];
    expect(Object.fromEntries(chooseLayers(input, 900_000))).toEqual(Object.fromEntries(chooseLayers([...input].reverse(), 900_000)));
    expect(chooseLayers(input, 900_000).get('x')!.fitsLayer).toBe(1);
    expect(chooseLayers(input, 900_000).get('y')!.fitsLayer).toBe(0);
  });
});

describe('ProbeGate', () => {
  it('stops probing when the estimate drops, waits longer after each failed probe, and resumes once it holds', () => {
    const g = new ProbeGate();
    expect(g.probing).toBe(true);
    expect(g.sample(1_000_000)).toBe(false);
    // A probe that costs the estimate > 10% ends at once.
    expect(g.sample(800_000)).toBe(true);
    expect(g.probing).toBe(false);
    // Held for the (doubled) wait of 4 samples: probing again.
    for (let i = 0; i < 3; i++) expect(g.sample(800_000)).toBe(false);
    expect(g.sample(800_000)).toBe(true);
    expect(g.probing).toBe(true);
    // Fails again: the wait doubles to 8.
    g.sample(500_000);
    for (let i = 0; i < 7; i++) g.sample(500_000);
    expect(g.probing).toBe(false);
    g.sample(500_000);
    expect(g.probing).toBe(true);
  });

  it('stops probing when a probe wins a layer, and probes again once the estimate held there', () => {
    const g = new ProbeGate();
    g.sample(1_000_000);
    g.raised();
    expect(g.probing).toBe(false);
    g.sample(1_000_000);
    expect(g.probing).toBe(false);
    // The first wait (2 samples), not a doubled one: winning a layer is no failure.
    expect(g.sample(1_000_000)).toBe(true);
    expect(g.probing).toBe(true);
  });

  it('a small wobble of the estimate is not a drop', () => {
    const g = new ProbeGate();
    g.sample(1_000_000);
    g.sample(950_000);
    expect(g.probing).toBe(true);
  });
});

describe('chooseLayers without probing', () => {
  it('prefers exactly the layer that fits', () => {
    const cam = { id: 'v', kind: 'video' as const, source: 'camera' as const, active: true, temporalLayers: 3, viewport: null, maxSpatialLayer: null,
      layers: [{ width: 320, height: 180, bitrate: 150_000 }, { width: 640, height: 360, bitrate: 500_000 }, { width: 1280, height: 720, bitrate: 1_200_000 }] };
    expect(chooseLayers([cam], 600_000, { probe: false }).get('v')!.spatialLayer).toBe(1);
    expect(chooseLayers([cam], 600_000, { probe: true }).get('v')!.spatialLayer).toBe(2);
  });
});

describe('chooseLayers hysteresis and measured costs', () => {
  const cam = (current: number | null) => ({ ...video('v', null), current });
  it('keeps a layer it has while the budget covers most of it, and needs all of it to take a new one', () => {
    // Layer 1 costs 500k (350k above layer 0). 450k covers 150k + 0.7 * 350k = 395k, not 500k.
    expect(chooseLayers([cam(null)], 450_000, { probe: false }).get('v')!.fitsLayer).toBe(0);
    expect(chooseLayers([cam(0)], 450_000, { probe: false }).get('v')!.fitsLayer).toBe(0);
    expect(chooseLayers([cam(1)], 450_000, { probe: false }).get('v')!.fitsLayer).toBe(1);
    // Far below: dropped all the same.
    expect(chooseLayers([cam(1)], 350_000, { probe: false }).get('v')!.fitsLayer).toBe(0);
  });

  it('prices a flowing layer at what it carries, a silent one at its ceiling', () => {
    const priced = pricedLayers(CAMERA, [90_000, 210_000, 0]);
    expect(priced.map((l) => l.bitrate)).toEqual([90_000, 210_000, 1_200_000]);
    expect(pricedLayers(CAMERA, null)).toEqual(CAMERA);
    // A still picture's top layer at 400k fits a 600k estimate that its 1.2M ceiling would not.
    const still = { ...video('v', null), layers: pricedLayers(CAMERA, [60_000, 150_000, 400_000]) };
    expect(chooseLayers([still], 600_000, { probe: false }).get('v')!.fitsLayer).toBe(2);
  });
});

describe('relaxed sampling', () => {
  it('is relaxed when every video has the layer its tile needs with headroom, or there is no estimate', () => {
    const big = video('big', { width: 1280, height: 720 });
    const small = video('small', { width: 160, height: 90 });
    const demands = [audio('a'), big, small];
    const at = (budget: number | null) => isRelaxed(demands, chooseLayers(demands, budget), budget);
    // Needs 64k + 1.2M + 150k = 1.414M; with 30% headroom 1.84M.
    expect(at(null)).toBe(true);
    expect(at(2_000_000)).toBe(true);
    // Everything fits, but without headroom: watch closely.
    expect(at(1_500_000)).toBe(false);
    // The big tile cannot have its layer.
    expect(at(800_000)).toBe(false);
  });
});
