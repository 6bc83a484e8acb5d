import { ErrorCode } from '@parley/protocol';
import { ParleyError } from '../errors.js';
import type { SfuRoom } from '../sfu/sfuRoom.js';

/** Media services cannot read end-to-end encrypted media (the server holds no key): refuse them up front. */
export function assertNotEncrypted(sfu: SfuRoom, what: string): void {
  if (sfu.encrypted) throw new ParleyError(ErrorCode.RoomEncrypted, `${what} is not possible: this room's media is end-to-end encrypted and the server holds no key`);
}
