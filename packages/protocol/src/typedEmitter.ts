/**
 * A small typed event emitter that runs in Node and browsers. Event map: name -> tuple of args.
 * `emit` isolates listeners: one that throws is reported through `onListenerError` and cannot
 * break the emitter's owner (mediasoup's safeEmit idea).
 */
export type EventMap = Record<string, unknown[]>;
type Listener<A extends unknown[]> = (...args: A) => void;
// Listeners are stored untyped; the public methods keep the types.
type AnyListener = (...args: unknown[]) => void;

export class TypedEmitter<E extends EventMap> {
  #listeners = new Map<keyof E, Set<AnyListener>>();
  /** Called when a listener throws; defaults to console.error. */
  onListenerError: (event: string, err: unknown) => void = (event, err) => {
    console.error(`listener for "${event}" threw`, err);
  };

  on<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    set.add(listener as unknown as AnyListener);
    return this;
  }

  once<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    const wrapper = (...args: E[K]) => {
      this.off(event, wrapper);
      listener(...args);
    };
    return this.on(event, wrapper);
  }

  off<K extends keyof E>(event: K, listener?: Listener<E[K]>): this {
    if (!listener) this.#listeners.delete(event);
    else this.#listeners.get(event)?.delete(listener as unknown as AnyListener);
    return this;
  }

  removeAllListeners(event?: keyof E): this {
    if (event === undefined) this.#listeners.clear();
    else this.#listeners.delete(event);
    return this;
  }

  listenerCount(event: keyof E): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  emit<K extends keyof E>(event: K, ...args: E[K]): boolean {
    const set = this.#listeners.get(event);
    if (!set || set.size === 0) return false;
    for (const listener of [...set]) {
      try {
        listener(...(args as unknown[]));
      } catch (err) {
        this.onListenerError(String(event), err);
      }
    }
    return true;
  }
}
