import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { z } from 'zod';
import { ErrorCode, MediaAllowed, type Permission, type Role } from '@parley/protocol';
import { ParleyError } from '../errors.js';

/** What a join token grants: one attendee of one meeting, with a role and permissions. */
export interface JoinClaims {
  meetingId: string;
  attendeeId: string;
  externalUserId: string;
  name: string;
  role: Role;
  permissions: Permission[];
  /** Room tokens: what an audience member may receive / a member may send (default all). */
  mediaAllowed?: MediaAllowed;
  /** Room tokens: the member's initial metadata. */
  meta?: Record<string, unknown>;
}

const ISSUER = 'parley';
const AUDIENCE = 'parley-join';

const ClaimsSchema = z.object({
  sub: z.string().min(1),
  mid: z.string().min(1),
  ext: z.string(),
  name: z.string(),
  role: z.enum(['member', 'audience']),
  perms: z.array(z.string()),
  media: MediaAllowed.optional(),
  meta: z.record(z.string(), z.unknown()).optional(),
});

/** Signs and verifies join tokens (HS256 JWTs). */
export class JoinTokens {
  readonly #key: Uint8Array;
  readonly #ttlSeconds: number;

  constructor(secret: string, ttlSeconds: number) {
    this.#key = new TextEncoder().encode(secret);
    this.#ttlSeconds = ttlSeconds;
  }

  async sign(claims: JoinClaims, ttlSeconds = this.#ttlSeconds): Promise<string> {
    const extra = { ...(claims.mediaAllowed ? { media: claims.mediaAllowed } : {}), ...(claims.meta ? { meta: claims.meta } : {}) };
    return new SignJWT({ mid: claims.meetingId, ext: claims.externalUserId, name: claims.name, role: claims.role, perms: claims.permissions, ...extra })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(claims.attendeeId)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(this.#key);
  }

  /** Throws ParleyError token_expired or token_invalid (bad signature, shape, issuer...). */
  async verify(token: string): Promise<JoinClaims> {
    let payload: unknown;
    try {
      ({ payload } = await jwtVerify(token, this.#key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] }));
    } catch (err) {
      if (err instanceof joseErrors.JWTExpired) throw new ParleyError(ErrorCode.TokenExpired, 'join token has expired', { cause: err });
      throw new ParleyError(ErrorCode.TokenInvalid, 'join token is not valid', { cause: err });
    }
    const parsed = ClaimsSchema.safeParse(payload);
    if (!parsed.success) throw new ParleyError(ErrorCode.TokenInvalid, 'join token claims are malformed');
    const c = parsed.data;
    return {
      meetingId: c.mid, attendeeId: c.sub, externalUserId: c.ext, name: c.name, role: c.role, permissions: c.perms as Permission[],
      ...(c.media ? { mediaAllowed: c.media } : {}), ...(c.meta ? { meta: c.meta } : {}),
    };
  }
}
