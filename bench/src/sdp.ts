/** Hand-built SDP for a browserless WebRTC peer talking to a mediasoup WebRtcTransport (ICE-lite). */

export interface TransportInfo {
  id: string;
  iceParameters: { usernameFragment: string; password: string };
  iceCandidates: Array<{ foundation: string; priority: number; ip?: string; address?: string; port: number; protocol: string; type: string }>;
  dtlsParameters: { fingerprints: Array<{ algorithm: string; value: string }> };
}

export interface SdpMedia {
  mid: string;
  kind: 'audio' | 'video';
  direction: 'sendonly' | 'recvonly';
  pt: number;
  codec: string;
  clockRate: number;
  channels?: number;
  fmtp?: string;
  rtcpFb?: string[];
  ssrc?: number;
  cname?: string;
}

/** The mediasoup side's description: an offer (setup actpass) or an answer (setup passive). */
export function mediasoupSdp(t: TransportInfo, medias: SdpMedia[], type: 'offer' | 'answer'): string {
  const fp = t.dtlsParameters.fingerprints.find((f) => f.algorithm === 'sha-256') ?? t.dtlsParameters.fingerprints[0];
  if (!fp) throw new Error('transport has no DTLS fingerprint');
  const lines = ['v=0', `o=mediasoup ${Date.now()} 1 IN IP4 0.0.0.0`, 's=-', 't=0 0', 'a=ice-lite', `a=group:BUNDLE ${medias.map((m) => m.mid).join(' ')}`, 'a=msid-semantic: WMS *'];
  medias.forEach((m, i) => {
    lines.push(`m=${m.kind} 7 UDP/TLS/RTP/SAVPF ${m.pt}`, 'c=IN IP4 127.0.0.1', `a=mid:${m.mid}`, `a=${m.direction}`, 'a=rtcp-mux', 'a=rtcp-rsize',
      `a=ice-ufrag:${t.iceParameters.usernameFragment}`, `a=ice-pwd:${t.iceParameters.password}`,
      `a=fingerprint:${fp.algorithm} ${fp.value}`, `a=setup:${type === 'offer' ? 'actpass' : 'passive'}`,
      `a=rtpmap:${m.pt} ${m.codec}/${m.clockRate}${m.channels ? `/${m.channels}` : ''}`);
    if (m.fmtp) lines.push(`a=fmtp:${m.pt} ${m.fmtp}`);
    for (const fb of m.rtcpFb ?? []) lines.push(`a=rtcp-fb:${m.pt} ${fb}`);
    if (m.ssrc !== undefined) lines.push(`a=ssrc:${m.ssrc} cname:${m.cname ?? 'parley'}`, `a=msid:stream${i} track${i}`);
    if (i === 0 || true) {
      for (const c of t.iceCandidates) {
        if (c.protocol !== 'udp') continue;
        lines.push(`a=candidate:${c.foundation} 1 udp ${c.priority} ${c.address ?? c.ip} ${c.port} typ host`);
      }
      lines.push('a=end-of-candidates');
    }
  });
  return lines.join('\r\n') + '\r\n';
}

/** The DTLS fingerprint and role a local description declares, as mediasoup's connect() wants them. */
export function dtlsFromSdp(sdp: string): { role: 'client' | 'server'; fingerprints: Array<{ algorithm: string; value: string }> } {
  const fp = /a=fingerprint:(\S+) (\S+)/.exec(sdp);
  if (!fp?.[1] || !fp[2]) throw new Error('local SDP has no fingerprint');
  const setup = /a=setup:(\S+)/.exec(sdp)?.[1];
  return { role: setup === 'passive' ? 'server' : 'client', fingerprints: [{ algorithm: fp[1].toLowerCase(), value: fp[2] }] };
}
