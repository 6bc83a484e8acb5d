import { createHmac, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { Fuzzer } from './fuzzer.js';

/** What a datagram was built to look like (the counts are reported by shape). */
export type DatagramShape = 'random' | 'stun' | 'stun-auth' | 'dtls' | 'rtp' | 'rtcp' | 'mutated';
export const DATAGRAM_SHAPES: readonly DatagramShape[] = ['random', 'stun', 'stun-auth', 'dtls', 'rtp', 'rtcp', 'mutated'];

const STUN_COOKIE = 0x2112a442;

/** ICE credentials of the transport the fuzz is aimed at: its STUN checks pass, so its tuple reaches DTLS. */
export interface IceTarget {
  serverUfrag: string;
  serverPassword: string;
  clientUfrag: string;
}

function stunAttr(type: number, value: Buffer): Buffer {
  const pad = (4 - (value.length % 4)) % 4;
  const head = Buffer.alloc(4);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(value.length, 2);
  return Buffer.concat([head, value, Buffer.alloc(pad)]);
}

/**
 * A STUN Binding request as an ICE agent sends it (RFC 8445): USERNAME, PRIORITY, ICE-CONTROLLING,
 * optionally USE-CANDIDATE, MESSAGE-INTEGRITY (HMAC-SHA1 with the server's ICE password) and FINGERPRINT.
 */
export function stunBindingRequest(ice: IceTarget, useCandidate = true, transactionId = randomBytes(12)): Buffer {
  const attrs: Buffer[] = [
    stunAttr(0x0006, Buffer.from(`${ice.serverUfrag}:${ice.clientUfrag}`)),
    stunAttr(0x0024, Buffer.from([0x6e, 0x00, 0x1e, 0xff])),
    stunAttr(0x802a, randomBytes(8)),
  ];
  if (useCandidate) attrs.push(stunAttr(0x0025, Buffer.alloc(0)));
  const header = (extra: number, body: Buffer): Buffer => {
    const h = Buffer.alloc(20);
    h.writeUInt16BE(0x0001, 0);
    h.writeUInt16BE(body.length + extra, 2);
    h.writeUInt32BE(STUN_COOKIE, 4);
    transactionId.copy(h, 8);
    return h;
  };
  let body = Buffer.concat(attrs);
  // MESSAGE-INTEGRITY covers the header with the length as if it were the last attribute.
  const hmac = createHmac('sha1', ice.serverPassword).update(Buffer.concat([header(24, body), body])).digest();
  body = Buffer.concat([body, stunAttr(0x0008, hmac)]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE((crc32(Buffer.concat([header(8, body), body])) ^ 0x5354554e) >>> 0, 0);
  body = Buffer.concat([body, stunAttr(0x8028, crc)]);
  return Buffer.concat([header(0, body), body]);
}

/** A DTLS 1.2 ClientHello record offering SRTP, as a browser's first flight looks. */
export function dtlsClientHello(random: Uint8Array = randomBytes(32)): Buffer {
  const suites = [0xc02b, 0xc02f, 0xcca9, 0xcca8, 0xc009, 0xc013];
  const ext = (type: number, data: Buffer): Buffer => Buffer.concat([u16(type), u16(data.length), data]);
  const extensions = Buffer.concat([
    ext(0x000a, Buffer.concat([u16(4), u16(0x001d), u16(0x0017)])), // supported groups
    ext(0x000b, Buffer.from([1, 0])), // EC point formats
    ext(0x000d, Buffer.concat([u16(4), u16(0x0403), u16(0x0804)])), // signature algorithms
    ext(0x000e, Buffer.concat([u16(4), u16(0x0001), u16(0x0007), Buffer.from([0])])), // use_srtp
    ext(0x0017, Buffer.alloc(0)), // extended master secret
  ]);
  const hello = Buffer.concat([
    Buffer.from([0xfe, 0xfd]), random, Buffer.from([0]), Buffer.from([0]),
    u16(suites.length * 2), ...suites.map(u16), Buffer.from([1, 0]), u16(extensions.length), extensions,
  ]);
  const hs = Buffer.concat([Buffer.from([1]), u24(hello.length), u16(0), u24(0), u24(hello.length), hello]);
  return Buffer.concat([Buffer.from([22, 0xfe, 0xff]), u16(0), Buffer.alloc(6), u16(hs.length), hs]);
}

function u16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n & 0xffff, 0);
  return b;
}

function u24(n: number): Buffer {
  return Buffer.from([(n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
}

/**
 * Seeded datagrams in the shapes a WebRtcServer port demultiplexes (STUN, DTLS, RTP, RTCP) plus
 * noise: each valid-looking, truncated, over-long, with lying length fields, or bit-flipped.
 */
export class DatagramFuzzer {
  readonly #f: Fuzzer;
  readonly #ice: IceTarget | undefined;

  constructor(seed: number, ice?: IceTarget) {
    this.#f = new Fuzzer(seed);
    this.#ice = ice;
  }

  #bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.#f.int(256);
    return b;
  }

  /** A datagram of the given shape (a random shape when none is given). */
  next(shape: DatagramShape = this.#f.pick(DATAGRAM_SHAPES)): { shape: DatagramShape; data: Buffer } {
    const f = this.#f;
    switch (shape) {
      case 'random': return { shape, data: this.#bytes(f.int(1500)) };
      case 'stun': return { shape, data: this.#stun() };
      case 'stun-auth': {
        // Valid checks toward the target, some nudged after signing (integrity must then fail).
        if (!this.#ice) return { shape, data: this.#stun() };
        const ok = stunBindingRequest(this.#ice, f.next() < 0.5);
        return { shape, data: f.next() < 0.5 ? ok : this.#mutate(ok) };
      }
      case 'dtls': return { shape, data: this.#dtls() };
      case 'rtp': return { shape, data: this.#rtp() };
      case 'rtcp': return { shape, data: this.#rtcp() };
      default: return { shape, data: this.#mutate(Buffer.from(this.next(f.pick(["stun", "dtls", "rtp", "rtcp"] as const)).data)) };
    }
  }

  #stun(): Buffer {
    const f = this.#f;
    const attrs: Buffer[] = [];
    for (let i = f.int(6); i > 0; i--) {
      const type = f.pick([0x0006, 0x0008, 0x8028, 0x0024, 0x0025, 0x802a, 0x8029, 0x0020, 0x0009, f.int(0x10000)]);
      const user = this.#ice && f.next() < 0.5 ? `${this.#ice.serverUfrag}:${f.randomString(f.int(8))}` : f.randomString(f.int(40));
      attrs.push(stunAttr(type, type === 0x0006 ? Buffer.from(user) : this.#bytes(f.pick([0, 4, 8, 20, f.int(300)]))));
    }
    const body = Buffer.concat(attrs);
    const h = Buffer.alloc(20);
    h.writeUInt16BE(f.pick([0x0001, 0x0101, 0x0111, 0x0011, f.int(0x4000)]), 0);
    h.writeUInt16BE(f.next() < 0.8 ? body.length : f.int(0x10000), 2);
    h.writeUInt32BE(f.next() < 0.9 ? STUN_COOKIE : f.int(0x100000000), 4);
    this.#bytes(12).copy(h, 8);
    return Buffer.concat([h, body]);
  }

  #dtls(): Buffer {
    const f = this.#f;
    if (f.next() < 0.4) return dtlsClientHello(this.#bytes(32));
    const records: Buffer[] = [];
    for (let i = 1 + f.int(3); i > 0; i--) {
      const body = this.#bytes(f.pick([0, 1, 12, 13, 48, f.int(1400)]));
      const head = Buffer.concat([
        Buffer.from([f.pick([20, 21, 22, 23, 24, 25, f.int(64)])]), Buffer.from(f.pick([[0xfe, 0xfd], [0xfe, 0xff], [3, 3], [f.int(256), f.int(256)]])),
        u16(f.int(3)), this.#bytes(6), u16(f.next() < 0.8 ? body.length : f.int(0x10000)),
      ]);
      records.push(head, body);
    }
    return Buffer.concat(records);
  }

  #rtp(): Buffer {
    const f = this.#f;
    const cc = f.next() < 0.8 ? 0 : f.int(16);
    const ext = f.next() < 0.4;
    const h = Buffer.alloc(12);
    h[0] = 0x80 | (f.next() < 0.1 ? 0x20 : 0) | (ext ? 0x10 : 0) | cc;
    h[1] = (f.next() < 0.3 ? 0x80 : 0) | f.pick([96, 97, 100, 101, 111, 0, f.int(128)]);
    h.writeUInt16BE(f.int(0x10000), 2);
    h.writeUInt32BE(f.int(0x100000000), 4);
    h.writeUInt32BE(f.pick([0x1111, 0x2222, f.int(0x100000000)]), 8);
    const parts = [h, this.#bytes(cc * 4 * (f.next() < 0.8 ? 1 : 0))];
    if (ext) {
      const words = f.int(8);
      parts.push(Buffer.from(f.pick([[0xbe, 0xde], [0x10, 0x00], [f.int(256), f.int(256)]])), u16(f.next() < 0.7 ? words : f.int(0x10000)), this.#bytes(words * 4));
    }
    parts.push(this.#bytes(f.int(1200)));
    return Buffer.concat(parts);
  }

  #rtcp(): Buffer {
    const f = this.#f;
    const packets: Buffer[] = [];
    for (let i = 1 + f.int(4); i > 0; i--) {
      const words = f.int(20);
      const p = Buffer.alloc(4);
      p[0] = 0x80 | f.int(32);
      p[1] = f.pick([200, 201, 202, 203, 204, 205, 206, 207, f.int(256)]);
      p.writeUInt16BE(f.next() < 0.75 ? words : f.int(0x10000), 2);
      packets.push(p, this.#bytes(words * 4 + (f.next() < 0.1 ? f.int(4) : 0)));
    }
    return Buffer.concat(packets);
  }

  /** Truncates, extends, bit-flips or overwrites a valid-looking datagram. */
  #mutate(data: Uint8Array): Buffer {
    const f = this.#f;
    let out: Buffer = Buffer.from(data);
    for (let i = 1 + f.int(3); i > 0; i--) {
      switch (f.int(5)) {
        case 0: out = out.subarray(0, f.int(out.length + 1)); break;
        case 1: out = Buffer.concat([out, this.#bytes(f.int(200))]); break;
        case 2: if (out.length) out[f.int(out.length)]! ^= 1 << f.int(8); break;
        case 3: if (out.length) out[f.int(out.length)] = f.pick([0, 0xff, 0x7f, 0x80]); break;
        default: if (out.length > 4) out.writeUInt16BE(f.int(0x10000), f.int(out.length - 1) & ~1); break;
      }
    }
    return out;
  }
}
