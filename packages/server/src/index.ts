export { startParleyServer, type ParleyServer, type StartOptions } from './server.js';
export { loadConfig, type Config, type ConfigInput } from './config/config.js';
export { ParleyError } from './errors.js';
export { JoinTokens, type JoinClaims } from './auth/joinTokens.js';
export type { MeetingStore, MeetingRecord, AttendeeRecord, LiveMeetings } from './store/types.js';
