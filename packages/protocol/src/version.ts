/** Signaling protocol version sent in `join`; the server refuses versions it does not speak. */
export const PROTOCOL_VERSION = 1;

/** Largest signaling message either side accepts, in bytes (router capabilities are ~10 KiB). */
export const MAX_MESSAGE_BYTES = 256 * 1024;
