import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ParleyError } from '../errors.js';
import { authenticate, authRequestFrom } from './httpAuth.js';
import type { SigV4Request } from './sigv4.js';

const creds = { apiKey: 'key-1', apiSecret: 'secret:with:colons-0123' };

function withAuth(authorization?: string): SigV4Request {
  return { method: 'GET', rawPath: '/meetings/m1', rawQuery: '', headers: authorization === undefined ? {} : { authorization }, body: new Uint8Array() };
}

function failure(fn: () => unknown): ParleyError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ParleyError) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

describe('authenticate', () => {
  it('accepts Basic apiKey:apiSecret, splitting at the first colon', () => {
    const basic = Buffer.from(`${creds.apiKey}:${creds.apiSecret}`).toString('base64');
    expect(authenticate(withAuth(`Basic ${basic}`), creds)).toBe('basic');
    expect(authenticate(withAuth(`basic ${basic}`), creds)).toBe('basic');
  });

  it('accepts Bearer <apiSecret>', () => {
    expect(authenticate(withAuth(`Bearer ${creds.apiSecret}`), creds)).toBe('bearer');
  });

  it('refuses missing, empty, wrong and unknown credentials with 401 unauthorized', () => {
    const cases = [
      undefined,
      '',
      'Basic',
      `Basic ${Buffer.from(`${creds.apiKey}:nope`).toString('base64')}`,
      `Basic ${Buffer.from(`${creds.apiKey}`).toString('base64')}`,
      `Basic ${Buffer.from(`other:${creds.apiSecret}`).toString('base64')}`,
      'Bearer',
      `Bearer ${creds.apiKey}`,
      `Bearer ${creds.apiSecret}x`,
      `Token ${creds.apiSecret}`,
    ];
    for (const header of cases) {
      const err = failure(() => authenticate(withAuth(header), creds));
      expect(err.code).toBe('unauthorized');
      expect(err.status).toBe(401);
    }
  });

  it('refuses a repeated Authorization header', () => {
    const req: SigV4Request = { ...withAuth(), headers: { authorization: [`Bearer ${creds.apiSecret}`, `Bearer ${creds.apiSecret}`] } };
    expect(failure(() => authenticate(req, creds)).code).toBe('unauthorized');
  });
});

describe('authRequestFrom', () => {
  it('takes the raw path, query and headers, joining repeated headers and surviving odd names', () => {
    const raw = new IncomingMessage(new Socket());
    raw.method = 'POST';
    raw.url = '/meetings/a%20b/attendees?operation=batch-create&x=1';
    raw.rawHeaders = ['Host', 'h:1', 'X-Thing', 'a', 'x-thing', 'b', '__proto__', 'p'];
    const req = authRequestFrom(raw, Buffer.from('{}'));
    expect(req.method).toBe('POST');
    expect(req.rawPath).toBe('/meetings/a%20b/attendees');
    expect(req.rawQuery).toBe('operation=batch-create&x=1');
    expect(req.headers.host).toBe('h:1');
    expect(req.headers['x-thing']).toEqual(['a', 'b']);
    expect(Object.hasOwn(req.headers, '__proto__')).toBe(true);
    expect(Buffer.from(req.body).toString()).toBe('{}');
  });
});
