export * as Video from './video/index.js';
export { RestClient, type RestClientOptions, type Meeting, type Attendee, type Room, type RoomToken, type CreateRoomTokenParams } from './rest/restClient.js';
export { ParleySdkError } from './errors.js';
export { Permission, ErrorCode, type RoomMember, type MemberEntity, type RoomSessionFullState, type MemberEvent, type RoomEvent, type LayoutEvent } from '@parley/protocol';
export { WebhookReceiver, WebhookErrorCode, type WebhookReceiverOptions, type WebhookHeaders } from './webhooks/webhookReceiver.js';
export { WEBHOOK_EVENT_NAMES, WEBHOOK_HEADERS, type WebhookEvent, type WebhookEventName, type WebhookEventOf, type WebhookParticipant, type WebhookRoom, type WebhookTrack } from '@parley/protocol';
