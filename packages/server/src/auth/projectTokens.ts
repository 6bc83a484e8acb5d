import { SignJWT, jwtVerify } from 'jose';
import { z } from 'zod';
import { ErrorCode } from '@parley/protocol';
import { ParleyError } from '../errors.js';

const ISSUER = 'parley';
const AUDIENCE = 'parley-realtime';
const Claims = z.object({ perms: z.array(z.string()) });

/**
 * Scoped credentials for the realtime API (SignalWire's project tokens): a backend holding one
 * controls room sessions with the listed permissions only. The API secret itself grants all.
 */
export class ProjectTokens {
  readonly #key: Uint8Array;

  constructor(secret: string) {
    this.#key = new TextEncoder().encode(`${secret}:project-tokens`);
  }

  async sign(permissions: string[], ttlSeconds: number): Promise<string> {
    return new SignJWT({ perms: permissions })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(this.#key);
  }

  async verify(token: string): Promise<Set<string>> {
    try {
      const { payload } = await jwtVerify(token, this.#key, { issuer: ISSUER, audience: AUDIENCE, algorithms: ['HS256'] });
      return new Set(Claims.parse(payload).perms);
    } catch (err) {
      throw new ParleyError(ErrorCode.Unauthorized, 'project token is not valid', { cause: err });
    }
  }
}
