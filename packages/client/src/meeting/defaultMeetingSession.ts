import { AudioVideoController } from './audioVideoController.js';
import { ContentShareController } from './contentShareController.js';
import { DefaultAudioVideoFacade } from './defaultAudioVideoFacade.js';
import { DefaultDeviceController } from './deviceController.js';
import type { Logger } from './logger.js';
import type { MeetingSessionConfiguration } from './meetingSessionConfiguration.js';

/**
 * One attendee's meeting session (Chime's DefaultMeetingSession): build it from the
 * configuration, then use `audioVideo` for everything.
 */
export class DefaultMeetingSession {
  readonly configuration: MeetingSessionConfiguration;
  readonly logger: Logger;
  readonly deviceController: DefaultDeviceController;
  readonly audioVideo: DefaultAudioVideoFacade;
  readonly contentShare: ContentShareController;
  readonly #controller: AudioVideoController;

  constructor(configuration: MeetingSessionConfiguration, logger: Logger, deviceController: DefaultDeviceController) {
    this.configuration = configuration;
    this.logger = logger;
    this.deviceController = deviceController;
    this.#controller = new AudioVideoController(configuration, logger, deviceController);
    this.contentShare = new ContentShareController(configuration, logger);
    this.#controller.contentShare = this.contentShare;
    this.audioVideo = new DefaultAudioVideoFacade(this.#controller, deviceController, this.contentShare);
  }

  /** The underlying engine while connected (for apps that need Parley-only features). */
  get engine() {
    return this.#controller.engine;
  }
}
