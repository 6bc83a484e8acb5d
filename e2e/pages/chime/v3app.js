// A small meeting app written the way a current amazon-chime-sdk-js 3.x app is (startAudioInput /
// startVideoInput, an observer object, bindVideoElement from videoTileDidUpdate, a roster from
// realtimeSubscribeToAttendeeIdPresence). Only the import differs from a Chime app.
import {
  ConsoleLogger,
  DefaultDeviceController,
  DefaultMeetingSession,
  DefaultModality,
  LogLevel,
  MeetingSessionConfiguration,
  MeetingSessionStatusCode,
} from '/sdk/parley-client.js';

export class MeetingApp {
  constructor({ audioElement, tilesElement, rosterElement }) {
    this.audioElement = audioElement;
    this.tilesElement = tilesElement;
    this.rosterElement = rosterElement;
    /** attendeeId -> { name, muted, volume } */
    this.roster = new Map();
    /** tileId -> <video> */
    this.tileElements = new Map();
    this.presenceLog = [];
    this.tileLog = [];
    this.fatalErrors = [];
    this.stopStatus = null;
  }

  async join(meetingResponse, attendeeResponse, { audioInput, videoInput }) {
    const logger = new ConsoleLogger('v3app', LogLevel.WARN);
    const deviceController = new DefaultDeviceController(logger, { enableWebAudio: false });
    const configuration = new MeetingSessionConfiguration(meetingResponse, attendeeResponse);
    this.meetingSession = new DefaultMeetingSession(configuration, logger, deviceController);
    this.selfId = configuration.credentials.attendeeId;
    const av = this.meetingSession.audioVideo;

    av.addObserver(this);
    av.realtimeSubscribeToAttendeeIdPresence(this.presenceChanged);
    av.realtimeSubscribeToFatalError((error) => this.fatalErrors.push(error.message));

    await av.startAudioInput(audioInput);
    await av.startVideoInput(videoInput);
    await av.bindAudioElement(this.audioElement);

    const started = new Promise((resolve, reject) => {
      this.onStarted = resolve;
      this.onStopped = reject;
    });
    av.start();
    await started;
    av.startLocalVideoTile();
  }

  // ---- AudioVideoObserver ----------------------------------------------------------------

  audioVideoDidStart() {
    this.onStarted?.();
  }

  audioVideoDidStop(sessionStatus) {
    this.stopStatus = sessionStatus.statusCode();
    if (sessionStatus.statusCode() !== MeetingSessionStatusCode.Left) this.onStopped?.(new Error(`stopped: ${sessionStatus.statusCode()}`));
  }

  metricsDidReceive(clientMetricReport) {
    this.metrics = clientMetricReport.getObservableMetrics();
    this.statsEntries = clientMetricReport.getRTCStatsReport().size;
  }

  videoTileDidUpdate(tileState) {
    this.tileLog.push({ tileId: tileState.tileId, attendeeId: tileState.boundAttendeeId, active: tileState.active, local: tileState.localTile, bound: !!tileState.boundVideoElement });
    if (!tileState.boundAttendeeId) return;
    let element = this.tileElements.get(tileState.tileId);
    if (!element) {
      element = document.createElement('video');
      element.width = 320;
      element.height = 180;
      element.dataset.tileId = String(tileState.tileId);
      this.tileElements.set(tileState.tileId, element);
      this.tilesElement.append(element);
    }
    element.dataset.attendeeId = tileState.boundAttendeeId;
    element.dataset.local = String(tileState.localTile);
    this.meetingSession.audioVideo.bindVideoElement(tileState.tileId, element);
  }

  videoTileWasRemoved(tileId) {
    this.tileLog.push({ tileId, removed: true });
    this.tileElements.get(tileId)?.remove();
    this.tileElements.delete(tileId);
  }

  // ---- Roster ------------------------------------------------------------------------------

  presenceChanged = (attendeeId, present, externalUserId, dropped) => {
    this.presenceLog.push({ attendeeId, present, externalUserId, dropped: !!dropped });
    if (new DefaultModality(attendeeId).hasModality(DefaultModality.MODALITY_CONTENT)) return;
    const av = this.meetingSession.audioVideo;
    if (!present) {
      this.roster.delete(attendeeId);
      av.realtimeUnsubscribeFromVolumeIndicator(attendeeId);
      this.renderRoster();
      return;
    }
    this.roster.set(attendeeId, { name: externalUserId, muted: null, volume: null });
    av.realtimeSubscribeToVolumeIndicator(attendeeId, (id, volume, muted) => {
      const entry = this.roster.get(id);
      if (!entry) return;
      if (volume !== null) entry.volume = volume;
      if (muted !== null) entry.muted = muted;
      this.renderRoster();
    });
    this.renderRoster();
  };

  renderRoster() {
    this.rosterElement.textContent = [...this.roster.values()].map((a) => `${a.name}${a.muted ? ' (muted)' : ''}`).sort().join(', ');
  }

  // ---- Controls ----------------------------------------------------------------------------

  mute() {
    this.meetingSession.audioVideo.realtimeMuteLocalAudio();
  }

  unmute() {
    return this.meetingSession.audioVideo.realtimeUnmuteLocalAudio();
  }

  async cameraOff() {
    const av = this.meetingSession.audioVideo;
    av.stopLocalVideoTile();
    await av.stopVideoInput();
  }

  async cameraOn(videoInput) {
    const av = this.meetingSession.audioVideo;
    await av.startVideoInput(videoInput);
    av.startLocalVideoTile();
  }

  async leave() {
    const av = this.meetingSession.audioVideo;
    av.stop();
    await av.stopAudioInput();
    await av.stopVideoInput();
    av.unbindAudioElement();
  }
}
