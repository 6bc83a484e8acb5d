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

  /** Chime 3.x's signature; `eventController` (meeting-event ingestion) has no Parley counterpart and is ignored. */
  constructor(configuration: MeetingSessionConfiguration, logger: Logger, deviceController: DefaultDeviceController, eventController?: unknown) {
    void eventController;
    this.configuration = configuration;
    this.logger = logger;
    this.deviceController = deviceController;
    this.#controller = new AudioVideoController(configuration, logger, deviceController);
    this.contentShare = new ContentShareController(configuration, logger);
    this.#controller.contentShare = this.contentShare;
    this.audioVideo = new DefaultAudioVideoFacade(this.#controller, deviceController, this.contentShare);
  }

  /** Chime's meeting-event controller; Parley reports no meeting events through one, so there is none. */
  get eventController(): undefined {
    return undefined;
  }

  /**
   * Leaves (if in the meeting) and releases what the session holds: its observers of the
   * device controller and the devices it opened (Chime's destroy). The session is not usable afterwards.
   */
  async destroy(): Promise<void> {
    this.#controller.destroy();
    await this.contentShare.stopContentShare();
    this.deviceController.release();
  }

  /** The underlying engine while connected (for apps that need Parley-only features). */
  get engine() {
    return this.#controller.engine;
  }
}

/** Chime's MeetingSession interface name, for apps that annotate with it. */
export type MeetingSession = DefaultMeetingSession;
