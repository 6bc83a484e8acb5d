/** Pure layout maths for the tile area: where each tile goes, given the space and the count. */

export interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface GridFit {
  cols: number;
  rows: number;
  tileW: number;
  tileH: number;
}

/** The column count and tile aspect that give `n` tiles the most area inside `w` x `h`. */
export function fitGrid(n: number, w: number, h: number, gap: number, aspects: readonly number[]): GridFit {
  let best: GridFit = { cols: 1, rows: Math.max(1, n), tileW: 0, tileH: 0 };
  for (let cols = 1; cols <= Math.max(1, n); cols++) {
    const rows = Math.ceil(n / cols);
    const cellW = (w - gap * (cols - 1)) / cols;
    const cellH = (h - gap * (rows - 1)) / rows;
    if (cellW <= 0 || cellH <= 0) continue;
    for (const aspect of aspects) {
      const tileW = Math.min(cellW, cellH * aspect);
      const tileH = tileW / aspect;
      if (tileW * tileH > best.tileW * best.tileH + 1) best = { cols, rows, tileW, tileH };
    }
  }
  return best;
}

/** Rectangles for `n` equal tiles centred in `area`, the last row centred too. */
export function gridRects(n: number, area: Rect, gap: number, aspects: readonly number[]): Rect[] {
  if (n === 0) return [];
  const fit = fitGrid(n, area.w, area.h, gap, aspects);
  const rects: Rect[] = [];
  const totalH = fit.rows * fit.tileH + (fit.rows - 1) * gap;
  const top = area.y + (area.h - totalH) / 2;
  for (let i = 0; i < n; i++) {
    const row = Math.floor(i / fit.cols);
    const inRow = row === fit.rows - 1 ? n - row * fit.cols : fit.cols;
    const col = i - row * fit.cols;
    const rowW = inRow * fit.tileW + (inRow - 1) * gap;
    const left = area.x + (area.w - rowW) / 2;
    rects.push({ x: left + col * (fit.tileW + gap), y: top + row * (fit.tileH + gap), w: fit.tileW, h: fit.tileH });
  }
  return rects;
}

export interface LayoutInput {
  width: number;
  height: number;
  /** People tiles, self included (self's index given separately). */
  people: number;
  selfIndex: number;
  contents: number;
}

export interface LayoutResult {
  people: Rect[];
  contents: Rect[];
  /** Which people tile (if any) floats as a small picture-in-picture. */
  floatingIndex: number;
  mode: 'grid' | 'duo' | 'stage';
}

const GAP = 12;

export function layoutTiles(input: LayoutInput): LayoutResult {
  const { width, height } = input;
  const narrow = width < 720;
  const portrait = height > width;
  const aspects = portrait ? [16 / 9, 4 / 3, 1, 3 / 4] : [16 / 9, 4 / 3];
  const area: Rect = { x: 0, y: 0, w: width, h: height };

  if (input.contents > 0) {
    // Presenting: the shared screen gets the stage, people a strip beside (or below) it.
    if (input.people === 0) return { people: [], contents: gridRects(input.contents, area, GAP, [16 / 9]), floatingIndex: -1, mode: 'stage' };
    if (narrow || portrait) {
      // Screen on top, people in a grid right below it; the pair is centred vertically.
      const stageH = Math.min(width * (9 / 16), height * 0.6);
      const below: Rect = { x: 0, y: stageH + GAP, w: width, h: height - stageH - GAP };
      const people = gridRects(input.people, below, 8, [16 / 9, 4 / 3, 1]);
      const peopleBottom = Math.max(...people.map((r) => r.y + r.h));
      const peopleTop = Math.min(...people.map((r) => r.y));
      const shift = Math.max(0, (height - (stageH + GAP + (peopleBottom - peopleTop))) / 2);
      const lift = peopleTop - below.y;
      const stage: Rect = { x: 0, y: shift, w: width, h: stageH };
      return {
        people: people.map((r) => ({ ...r, y: r.y - lift + shift })),
        contents: gridRects(input.contents, stage, GAP, [16 / 9]),
        floatingIndex: -1,
        mode: 'stage',
      };
    }
    const stripW = Math.min(Math.max(180, width * 0.2), 300);
    const stage: Rect = { x: 0, y: 0, w: width - stripW - GAP, h: height };
    const strip: Rect = { x: width - stripW, y: 0, w: stripW, h: height };
    return { people: gridRects(input.people, strip, 8, [16 / 9]), contents: gridRects(input.contents, stage, GAP, [16 / 9]), floatingIndex: -1, mode: 'stage' };
  }

  if (input.people === 2 && input.selfIndex >= 0) {
    // Two people: the other fills the space, you float in a corner.
    const other = input.selfIndex === 0 ? 1 : 0;
    const main = gridRects(1, area, GAP, portrait ? [3 / 4, 1, 4 / 3, 16 / 9] : [16 / 9, 4 / 3])[0] ?? area;
    const pipW = narrow ? Math.min(116, width * 0.3) : Math.min(Math.max(180, main.w * 0.2), 280);
    const pipH = narrow ? pipW * (4 / 3) : pipW * (9 / 16);
    const pip: Rect = { x: main.x + main.w - pipW - 14, y: main.y + main.h - pipH - 14, w: pipW, h: pipH };
    const people: Rect[] = [];
    people[other] = main;
    people[input.selfIndex] = pip;
    return { people, contents: [], floatingIndex: input.selfIndex, mode: 'duo' };
  }

  return { people: gridRects(input.people, area, GAP, aspects), contents: [], floatingIndex: -1, mode: 'grid' };
}
