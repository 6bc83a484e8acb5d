/** Minimal RTP/RTCP helpers for the load generator (no per-packet allocation beyond the packet). */

export function buildRtp(pt: number, seq: number, ts: number, ssrc: number, marker: boolean, payload: Buffer): Buffer {
  const buf = Buffer.allocUnsafe(12 + payload.length);
  buf[0] = 0x80;
  buf[1] = (marker ? 0x80 : 0) | pt;
  buf.writeUInt16BE(seq & 0xffff, 2);
  buf.writeUInt32BE(ts >>> 0, 4);
  buf.writeUInt32BE(ssrc >>> 0, 8);
  payload.copy(buf, 12);
  return buf;
}

/** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
const NTP_UNIX_OFFSET_S = 2_208_988_800;

/** An RTCP sender report (no report blocks): ties `rtpTs` to the wall-clock time `unixMs`. */
export function buildSenderReport(ssrc: number, unixMs: number, rtpTs: number, packets: number, octets: number): Buffer {
  const buf = Buffer.alloc(28);
  buf[0] = 0x80;
  buf[1] = 200;
  buf.writeUInt16BE(6, 2);
  buf.writeUInt32BE(ssrc >>> 0, 4);
  const secs = Math.floor(unixMs / 1000);
  buf.writeUInt32BE((secs + NTP_UNIX_OFFSET_S) >>> 0, 8);
  buf.writeUInt32BE(Math.floor(((unixMs - secs * 1000) / 1000) * 2 ** 32) >>> 0, 12);
  buf.writeUInt32BE(rtpTs >>> 0, 16);
  buf.writeUInt32BE(packets >>> 0, 20);
  buf.writeUInt32BE(octets >>> 0, 24);
  return buf;
}

export function isRtcp(buf: Buffer): boolean {
  const b1 = buf[1] ?? 0;
  return b1 >= 192 && b1 <= 223;
}

/** The media SSRCs a compound RTCP packet asks keyframes of (PLI: its media SSRC; FIR: each entry's). */
export function rtcpKeyframeSsrcs(buf: Buffer): number[] {
  const out: number[] = [];
  let off = 0;
  while (off + 4 <= buf.length) {
    const fmt = (buf[off] ?? 0) & 0x1f;
    const pt = buf[off + 1] ?? 0;
    const next = off + (buf.readUInt16BE(off + 2) + 1) * 4;
    if (pt === 206 && fmt === 1 && off + 12 <= buf.length) out.push(buf.readUInt32BE(off + 8));
    if (pt === 206 && fmt === 4) for (let e = off + 12; e + 8 <= Math.min(next, buf.length); e += 8) out.push(buf.readUInt32BE(e));
    off = next;
  }
  return out;
}

/** Offset and length of the RTP payload (after CSRCs, header extension and before padding). */
export function rtpPayloadBounds(buf: Buffer): { start: number; end: number } {
  const b0 = buf[0] ?? 0;
  let start = 12 + 4 * (b0 & 0x0f);
  if (b0 & 0x10) start += 4 + 4 * buf.readUInt16BE(start + 2);
  let end = buf.length;
  if (b0 & 0x20) end -= buf[buf.length - 1] ?? 0;
  return { start, end };
}

/** A number identifying a payload well enough to match a forwarded packet to its send time. */
export function payloadKey(buf: Buffer, start: number, end: number): number {
  const len = end - start;
  if (len < 8) return len;
  return ((buf.readUInt32BE(end - 4) ^ buf.readUInt32BE(end - 8) ^ (len << 16)) >>> 0);
}
