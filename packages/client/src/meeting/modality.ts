/**
 * An attendee id with an optional modality after '#': "abc#content" is abc's content share.
 * Same behaviour as Chime's DefaultModality.
 */
export class DefaultModality {
  static readonly MODALITY_SEPARATOR = '#';
  static readonly MODALITY_CONTENT = 'content';
  readonly #id: string;

  constructor(id: string) {
    this.#id = id;
  }

  id(): string {
    return this.#id;
  }

  /** The attendee id without the modality. */
  base(): string {
    if (!this.#id) return '';
    return this.#id.split(DefaultModality.MODALITY_SEPARATOR)[0] ?? '';
  }

  /** The modality ('content'), or '' when there is none. */
  modality(): string {
    if (!this.#id) return '';
    const parts = this.#id.split(DefaultModality.MODALITY_SEPARATOR);
    return parts.length === 2 && parts[1] === DefaultModality.MODALITY_CONTENT ? parts[1] : '';
  }

  hasModality(modality: string): boolean {
    return modality !== '' && this.modality() === modality;
  }

  withModality(modality: string): DefaultModality {
    const base = this.base();
    return new DefaultModality(modality ? `${base}${DefaultModality.MODALITY_SEPARATOR}${modality}` : base);
  }
}
