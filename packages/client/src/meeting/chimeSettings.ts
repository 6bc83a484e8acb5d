/**
 * Small value classes and types of Chime 3.x's meeting API that apps construct or receive
 * (VideoQualitySettings, AudioProfile, VideoCodecCapability, VideoSource, AudioMixObserver).
 * They carry Chime's names, fields and constants so `new AudioProfile(...)` and
 * `VideoCodecCapability.vp8()` keep working after the import changes.
 */

/** Camera capture size and rate to ask for (Chime's VideoQualitySettings). */
export class VideoQualitySettings {
  static readonly VideoDisabled = new VideoQualitySettings(0, 0, 0);
  static readonly VideoResolutionHD = new VideoQualitySettings(1280, 720, 30);
  static readonly VideoResolutionFHD = new VideoQualitySettings(1920, 1080, 30);
  static readonly VideoResolutionUHD = new VideoQualitySettings(3840, 2160, 30);
  videoWidth: number;
  videoHeight: number;
  videoFrameRate: number;

  constructor(videoWidth: number, videoHeight: number, videoFrameRate: number) {
    this.videoWidth = videoWidth;
    this.videoHeight = videoHeight;
    this.videoFrameRate = videoFrameRate;
  }

  equals(other: VideoQualitySettings): boolean {
    return other.videoWidth === this.videoWidth && other.videoHeight === this.videoHeight && other.videoFrameRate === this.videoFrameRate;
  }
}

/** Audio send quality (Chime's AudioProfile): a bitrate cap for the microphone's Opus stream, or none. */
export class AudioProfile {
  audioBitrateBps: number | null;
  /** What the app asked for; Parley sends Opus in-band FEC, not RED, so redundancy is never on. */
  readonly requestedRedundancy: boolean;

  constructor(audioBitrateBps: number | null = null, enableAudioRedundancy = true) {
    this.audioBitrateBps = audioBitrateBps;
    this.requestedRedundancy = enableAudioRedundancy;
  }

  static fullbandSpeechMono(enableAudioRedundancy = true): AudioProfile {
    return new AudioProfile(40_000, enableAudioRedundancy);
  }

  static fullbandMusicMono(enableAudioRedundancy = true): AudioProfile {
    return new AudioProfile(64_000, enableAudioRedundancy);
  }

  static fullbandMusicStereo(enableAudioRedundancy = true): AudioProfile {
    return new AudioProfile(128_000, enableAudioRedundancy);
  }

  isStereo(): boolean {
    return this.audioBitrateBps === 128_000;
  }

  /** Always false here: Parley has no audio redundancy (RED) stream. */
  hasRedundancyEnabled(): boolean {
    return false;
  }
}

/** A video codec to prefer when sending (Chime's VideoCodecCapability). */
export class VideoCodecCapability {
  readonly codecName: string;
  readonly codecCapability: RTCRtpCodec;

  constructor(codecName: string, codecCapability: RTCRtpCodec) {
    this.codecName = codecName;
    this.codecCapability = codecCapability;
  }

  static vp8(): VideoCodecCapability {
    return new VideoCodecCapability('VP8', { clockRate: 90000, mimeType: 'video/VP8' });
  }

  static h264ConstrainedBaselineProfile(): VideoCodecCapability {
    return new VideoCodecCapability('H264', { clockRate: 90000, mimeType: 'video/H264', sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f' });
  }

  static h264BaselineProfile(): VideoCodecCapability {
    return new VideoCodecCapability('H264', { clockRate: 90000, mimeType: 'video/H264', sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f' });
  }

  static h264(): VideoCodecCapability {
    return VideoCodecCapability.h264ConstrainedBaselineProfile();
  }

  static vp9(): VideoCodecCapability {
    return new VideoCodecCapability('VP9', { clockRate: 90000, mimeType: 'video/VP9', sdpFmtpLine: 'profile-id=0' });
  }

  static av1(): VideoCodecCapability {
    return new VideoCodecCapability('AV1', { clockRate: 90000, mimeType: 'video/AV1', sdpFmtpLine: 'level-idx=5;profile=0;tier=0' });
  }

  equals(other: VideoCodecCapability): boolean {
    return other.codecName === this.codecName && other.codecCapability.mimeType === this.codecCapability.mimeType && other.codecCapability.sdpFmtpLine === this.codecCapability.sdpFmtpLine;
  }
}

/** An attendee (Chime's Attendee). */
export class Attendee {
  attendeeId: string;
  externalUserId: string;

  constructor(attendeeId = '', externalUserId = '') {
    this.attendeeId = attendeeId;
    this.externalUserId = externalUserId;
  }
}

/** Someone who sends video in the meeting (Chime's VideoSource). */
export class VideoSource {
  attendee: Attendee;

  constructor(attendee: Attendee = new Attendee()) {
    this.attendee = attendee;
  }
}

/** Told when the meeting's mixed audio stream starts and stops playing (Chime's AudioMixObserver). */
export interface AudioMixObserver {
  meetingAudioStreamBecameActive(activeStream: MediaStream): void;
  meetingAudioStreamBecameInactive(inactiveStream: MediaStream): void;
}

/** An AnalyserNode that can be detached from the microphone when done (Chime's RemovableAnalyserNode). */
export type RemovableAnalyserNode = AnalyserNode & { removeOriginalInputs(): void };
