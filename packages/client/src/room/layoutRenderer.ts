import type { Layer, LayoutEvent, RoomMember } from '@parley/protocol';

/** What the renderer needs from outside, through getters (it holds no session). */
export interface LayoutSources {
  member(memberId: string): RoomMember | undefined;
  /** The video track to show for a member (its camera, or the local camera for yourself). */
  videoTrack(memberId: string): MediaStreamTrack | undefined;
}

/**
 * Draws the room's current layout into the app's root element: one absolutely positioned cell
 * per occupied layer, in percent of a 16:9 canvas. The server computes the layers (positions,
 * hidden muted video, prioritised raised hands), so this only draws them.
 */
export class LayoutRenderer {
  readonly #root: HTMLElement;
  readonly #canvas: HTMLDivElement;
  readonly #sources: LayoutSources;
  readonly #cells = new Map<string, { cell: HTMLDivElement; video: HTMLVideoElement; label: HTMLDivElement; track: MediaStreamTrack | undefined }>();
  #layout: LayoutEvent['layout'] | undefined;

  constructor(root: HTMLElement, sources: LayoutSources) {
    this.#root = root;
    this.#sources = sources;
    this.#canvas = document.createElement('div');
    this.#canvas.className = 'parley-layout';
    Object.assign(this.#canvas.style, { position: 'relative', width: '100%', aspectRatio: '16 / 9', background: '#111', overflow: 'hidden' });
    root.append(this.#canvas);
  }

  setLayout(layout: LayoutEvent['layout']): void {
    this.#layout = layout;
    this.render();
  }

  /** Redraws from the last layout (members or tracks changed). */
  render(): void {
    const layout = this.#layout;
    if (!layout) return;
    this.#canvas.dataset.layout = layout.name;
    const seen = new Set<string>();
    for (const layer of layout.layers) {
      if (!layer.memberId || !layer.visible) continue;
      seen.add(layer.memberId);
      this.#draw(layer.memberId, layer);
    }
    for (const [memberId, c] of this.#cells) {
      if (seen.has(memberId)) continue;
      c.video.srcObject = null;
      c.cell.remove();
      this.#cells.delete(memberId);
    }
  }

  close(): void {
    for (const c of this.#cells.values()) c.video.srcObject = null;
    this.#cells.clear();
    this.#canvas.remove();
  }

  get root(): HTMLElement {
    return this.#root;
  }

  #draw(memberId: string, layer: Layer): void {
    let c = this.#cells.get(memberId);
    if (!c) {
      const cell = document.createElement('div');
      cell.className = 'parley-layer';
      Object.assign(cell.style, { position: 'absolute', boxSizing: 'border-box', border: '1px solid #000', background: '#222' });
      const video = document.createElement('video');
      video.autoplay = true;
      video.muted = true;
      video.playsInline = true;
      Object.assign(video.style, { width: '100%', height: '100%', objectFit: 'cover', display: 'block' });
      const label = document.createElement('div');
      label.className = 'parley-label';
      Object.assign(label.style, { position: 'absolute', left: '4px', bottom: '4px', color: '#fff', font: '12px sans-serif', textShadow: '0 0 2px #000' });
      cell.append(video, label);
      this.#canvas.append(cell);
      c = { cell, video, label, track: undefined };
      this.#cells.set(memberId, c);
    }
    Object.assign(c.cell.style, { left: `${layer.x}%`, top: `${layer.y}%`, width: `${layer.width}%`, height: `${layer.height}%`, zIndex: String(layer.zIndex) });
    c.cell.dataset.memberId = memberId;
    c.cell.dataset.position = layer.position;
    const member = this.#sources.member(memberId);
    const track = this.#sources.videoTrack(memberId);
    const showVideo = !!track && !member?.videoMuted;
    if (track !== c.track) {
      c.track = track;
      c.video.srcObject = track ? new MediaStream([track]) : null;
    }
    c.video.style.visibility = showVideo ? 'visible' : 'hidden';
    c.cell.dataset.videoMuted = String(!showVideo);
    c.cell.dataset.handraised = String(member?.handraised === true);
    c.label.textContent = `${member?.handraised ? '\u270B ' : ''}${member?.name ?? ''}${member?.audioMuted ? ' (muted)' : ''}`;
  }
}
