export * from './version.js';
export * from './errorCodes.js';
export * from './sessionStatus.js';
export * from './permissions.js';
export * from './messages.js';
export * from './typedEmitter.js';
export * from './roomControl.js';
export * from './roomSessionApi.js';
