export { Client, type VideoClientOptions, type VideoClientEvents } from './videoClient.js';
export { RoomSession } from './roomSession.js';
