import { h } from './dom.js';
import { layoutTiles, type Rect } from './layout.js';
import type { Tile } from './tile.js';

/** The tile area: keeps tiles in join order (you first) and places them with `layoutTiles`. */
export class TileGrid {
  readonly el: HTMLElement;
  readonly #tiles = new Map<string, Tile>();
  readonly #observer: ResizeObserver;
  #frame = 0;

  constructor() {
    this.el = h('div', { class: 'tiles', attrs: { 'aria-label': 'Participants', role: 'region' } });
    this.#observer = new ResizeObserver(() => this.relayout());
    this.#observer.observe(this.el);
  }

  get tiles(): Tile[] {
    return [...this.#tiles.values()];
  }

  get(id: string): Tile | undefined {
    return this.#tiles.get(id);
  }

  add(tile: Tile): void {
    if (this.#tiles.has(tile.id)) return;
    this.#tiles.set(tile.id, tile);
    tile.el.classList.add('entering');
    this.el.append(tile.el);
    requestAnimationFrame(() => tile.el.classList.remove('entering'));
    this.relayout();
  }

  remove(id: string): void {
    const tile = this.#tiles.get(id);
    if (!tile) return;
    this.#tiles.delete(id);
    tile.destroy();
    this.relayout();
  }

  /** Batches layout to the next frame. */
  relayout(): void {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#apply();
    });
  }

  #apply(): void {
    const width = this.el.clientWidth;
    const height = this.el.clientHeight;
    if (width === 0 || height === 0) return;
    const all = this.tiles;
    const people = all.filter((t) => t.kind === 'person').sort((a, b) => Number(b.self) - Number(a.self));
    // Newest share first: it gets the stage.
    const contents = all.filter((t) => t.kind === 'content').reverse();
    const result = layoutTiles({ width, height, people: people.length, selfIndex: people.findIndex((t) => t.self), contents: contents.length });
    this.el.dataset.mode = result.mode;
    this.el.dataset.count = String(people.length);
    people.forEach((tile, i) => this.#place(tile, result.people[i], i === result.floatingIndex));
    contents.forEach((tile, i) => this.#place(tile, result.contents[i], false));
  }

  #place(tile: Tile, rect: Rect | undefined, floating: boolean): void {
    const style = tile.el.style;
    if (!rect) {
      style.display = 'none';
      return;
    }
    style.display = '';
    style.width = `${Math.round(rect.w)}px`;
    style.height = `${Math.round(rect.h)}px`;
    style.transform = `translate(${Math.round(rect.x)}px, ${Math.round(rect.y)}px)`;
    tile.el.classList.toggle('floating', floating);
    tile.el.classList.toggle('compact', rect.w < 220);
    tile.kick();
  }

  destroy(): void {
    this.#observer.disconnect();
    cancelAnimationFrame(this.#frame);
    for (const tile of this.#tiles.values()) tile.destroy();
    this.#tiles.clear();
    this.el.remove();
  }
}
