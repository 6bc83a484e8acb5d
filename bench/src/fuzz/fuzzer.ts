/** Deterministic message fuzzer for the signaling protocol (seeded, so failures replay). */
export class Fuzzer {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0 || 1;
  }

  /** xorshift32: fast, good enough to pick mutations. */
  next(): number {
    let x = this.#state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.#state = x >>> 0;
    return this.#state / 0x100000000;
  }

  int(max: number): number {
    return Math.floor(this.next() * max);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  randomValue(depth = 0): unknown {
    switch (this.int(depth > 3 ? 7 : 9)) {
      case 0: return null;
      case 1: return this.next() < 0.5;
      case 2: return this.pick([0, -1, 1.5, 2 ** 53, -(2 ** 63), 1e308, 42]);
      case 3: return this.randomString(this.int(40));
      case 4: return 'x'.repeat(this.int(20_000));
      case 5: return this.pick(['send', 'recv', 'audio', 'video', 'camera', 'microphone', '__proto__', 'constructor']);
      case 6: return '';
      case 7: return Array.from({ length: this.int(5) }, () => this.randomValue(depth + 1));
      default: return Object.fromEntries(Array.from({ length: this.int(5) }, () => [this.randomString(6), this.randomValue(depth + 1)]));
    }
  }

  randomString(length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) s += String.fromCharCode(this.next() < 0.9 ? 32 + this.int(95) : this.int(0xffff));
    return s;
  }

  /** A valid-looking request with one to three mutations, or raw garbage. */
  message(templates: Array<Record<string, unknown>>, ids: string[]): string {
    const kind = this.int(10);
    if (kind === 0) return this.randomString(this.int(200));
    if (kind === 1) return JSON.stringify(this.randomValue());
    if (kind === 2) return '{"id":1,"method":"ping","params":' + '['.repeat(5000) + ']'.repeat(5000) + '}';
    const msg = structuredClone(this.pick(templates)) as Record<string, unknown>;
    msg.id = this.int(1_000_000);
    const params = (msg.params ?? {}) as Record<string, unknown>;
    for (const key of Object.keys(params)) if (key.endsWith('Id') && this.next() < 0.7) params[key] = this.pick(ids);
    const mutations = 1 + this.int(3);
    for (let i = 0; i < mutations; i++) {
      const keys = Object.keys(params);
      switch (this.int(7)) {
        case 0: if (keys.length) delete params[this.pick(keys)]; break;
        case 1: if (keys.length) params[this.pick(keys)] = this.randomValue(); break;
        case 2: params[this.randomString(5)] = this.randomValue(); break;
        case 3: msg.id = this.randomValue(); break;
        case 4: msg.method = this.next() < 0.5 ? this.randomString(8) : String(msg.method).toUpperCase(); break;
        case 5: msg.params = this.randomValue(); break;
        default: break; // leave it valid: the real handler runs with fuzzed ids
      }
    }
    if (msg.params === params) msg.params = params;
    return JSON.stringify(msg);
  }
}
