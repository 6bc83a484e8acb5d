// The Amazon Chime SDK for JavaScript README's setup and its 26 usage snippets, verbatim except:
// the import names Parley's SDK bundle instead of 'amazon-chime-sdk-js', and each `/* ... */`
// placeholder is filled from `ctx` (the elements and responses the test provides).
import {
  ConsoleLogger,
  DefaultDeviceController,
  DefaultMeetingSession,
  LogLevel,
  MeetingSessionConfiguration
} from '/sdk/parley-client.js';
import { DefaultModality } from '/sdk/parley-client.js';
import { DefaultActiveSpeakerPolicy } from '/sdk/parley-client.js';
import { MeetingSessionStatusCode } from '/sdk/parley-client.js';

export function setup(ctx) {
  const logger = new ConsoleLogger('MyLogger', LogLevel.INFO);
  const deviceController = new DefaultDeviceController(logger);

  // You need responses from server-side Chime API. See below for details.
  const meetingResponse = ctx.meetingResponse /* The response from the CreateMeeting API action */;
  const attendeeResponse = ctx.attendeeResponse /* The response from the CreateAttendee or BatchCreateAttendee API action */;
  const configuration = new MeetingSessionConfiguration(meetingResponse, attendeeResponse);

  // In the usage examples below, you will use this meetingSession object.
  const meetingSession = new DefaultMeetingSession(
    configuration,
    logger,
    deviceController
  );
  return meetingSession;
}

export const useCases = {
  async 1(meetingSession) {
    const audioInputDevices = await meetingSession.audioVideo.listAudioInputDevices();
    const audioOutputDevices = await meetingSession.audioVideo.listAudioOutputDevices();
    const videoInputDevices = await meetingSession.audioVideo.listVideoInputDevices();

    // An array of MediaDeviceInfo objects
    audioInputDevices.forEach(mediaDeviceInfo => {
      console.log(`Device ID: ${mediaDeviceInfo.deviceId} Microphone: ${mediaDeviceInfo.label}`);
    });
    return { audioInputDevices, audioOutputDevices, videoInputDevices };
  },

  async 2(meetingSession, ctx) {
    const audioInputDeviceInfo = ctx.audioInputDeviceInfo /* An array item from meetingSession.audioVideo.listAudioInputDevices */;
    await meetingSession.audioVideo.chooseAudioInputDevice(audioInputDeviceInfo.deviceId);

    const audioOutputDeviceInfo = ctx.audioOutputDeviceInfo /* An array item from meetingSession.audioVideo.listAudioOutputDevices */;
    await meetingSession.audioVideo.chooseAudioOutputDevice(audioOutputDeviceInfo.deviceId);
  },

  async 3(meetingSession, ctx) {
    const videoInputDeviceInfo = ctx.videoInputDeviceInfo /* An array item from meetingSession.audioVideo.listVideoInputDevices */;
    await meetingSession.audioVideo.chooseVideoInputDevice(videoInputDeviceInfo.deviceId);

    // You can pass null to choose none. If the previously chosen camera has an LED light on,
    // it will turn off indicating the camera is no longer capturing.
    await meetingSession.audioVideo.chooseVideoInputDevice(null);
  },

  async 4(meetingSession) {
    const observer = {
      audioInputsChanged: freshAudioInputDeviceList => {
        // An array of MediaDeviceInfo objects
        freshAudioInputDeviceList.forEach(mediaDeviceInfo => {
          console.log(`Device ID: ${mediaDeviceInfo.deviceId} Microphone: ${mediaDeviceInfo.label}`);
        });
      },
      audioOutputsChanged: freshAudioOutputDeviceList => {
        console.log('Audio outputs updated: ', freshAudioOutputDeviceList);
      },
      videoInputsChanged: freshVideoInputDeviceList => {
        console.log('Video inputs updated: ', freshVideoInputDeviceList);
      }
    };

    meetingSession.audioVideo.addDeviceChangeObserver(observer);
  },

  async 5(meetingSession, ctx) {
    const audioElement = ctx.audioElement /* HTMLAudioElement object e.g. document.getElementById('audio-element-id') */;
    meetingSession.audioVideo.bindAudioElement(audioElement);

    const observer = {
      audioVideoDidStart: () => {
        console.log('Started');
      }
    };

    meetingSession.audioVideo.addObserver(observer);

    meetingSession.audioVideo.start();
  },

  async 6(meetingSession) {
    const observer = {
      audioVideoDidStart: () => {
        console.log('Started');
      },
      audioVideoDidStop: sessionStatus => {
        // See the "Stopping a session" section for details.
        console.log('Stopped with a session status code: ', sessionStatus.statusCode());
      },
      audioVideoDidStartConnecting: reconnecting => {
        if (reconnecting) {
          // e.g. the WiFi connection is dropped.
          console.log('Attempting to reconnect');
        }
      }
    };

    meetingSession.audioVideo.addObserver(observer);
  },

  async 7(meetingSession) {
    // Mute
    meetingSession.audioVideo.realtimeMuteLocalAudio();

    // Unmute
    const unmuted = meetingSession.audioVideo.realtimeUnmuteLocalAudio();
    if (unmuted) {
      console.log('Other attendees can hear your audio');
    } else {
      // See the realtimeSetCanUnmuteLocalAudio use case below.
      console.log('You cannot unmute yourself');
    }
  },

  async 8(meetingSession) {
    const muted = meetingSession.audioVideo.realtimeIsLocalAudioMuted();
    if (muted) {
      console.log('You are muted');
    } else {
      console.log('Other attendees can hear your audio');
    }
  },

  async 9(meetingSession) {
    meetingSession.audioVideo.realtimeSetCanUnmuteLocalAudio(false);

    // Optional: Force mute.
    meetingSession.audioVideo.realtimeMuteLocalAudio();

    const unmuted = meetingSession.audioVideo.realtimeUnmuteLocalAudio();
    console.log(`${unmuted} is false. You cannot unmute yourself`)
  },

  async 10(meetingSession) {
    // This is your attendee ID. You can also subscribe to another attendee's ID.
    // See the "Attendees" section for an example on how to retrieve other attendee IDs
    // in a session.
    const presentAttendeeId = meetingSession.configuration.credentials.attendeeId;

    meetingSession.audioVideo.realtimeSubscribeToVolumeIndicator(
      presentAttendeeId,
      (attendeeId, volume, muted, signalStrength) => {
        const baseAttendeeId = new DefaultModality(attendeeId).base();
        if (baseAttendeeId !== attendeeId) {
          // See the "Screen and content share" section for details.
          console.log(`The volume of ${baseAttendeeId}'s content changes`);
        }

        // A null value for any field means that it has not changed.
        console.log(`${attendeeId}'s volume data: `, {
          volume, // a fraction between 0 and 1
          muted, // a boolean
          signalStrength // 0 (no signal), 0.5 (weak), 1 (strong)
        });
      }
    );
  },

  async 11(meetingSession) {
    const activeSpeakerCallback = attendeeIds => {
      if (attendeeIds.length) {
        console.log(`${attendeeIds[0]} is the most active speaker`);
      }
    };

    meetingSession.audioVideo.subscribeToActiveSpeakerDetector(
      new DefaultActiveSpeakerPolicy(),
      activeSpeakerCallback
    );
  },

  async 12(meetingSession, ctx) {
    const videoElement = ctx.videoElement /* HTMLVideoElement object e.g. document.getElementById('video-element-id') */;

    // Make sure you have chosen your camera. In this use case, you will choose the first device.
    const videoInputDevices = await meetingSession.audioVideo.listVideoInputDevices();

    // The camera LED light will turn on indicating that it is now capturing.
    // See the "Device" section for details.
    await meetingSession.audioVideo.chooseVideoInputDevice(videoInputDevices[0].deviceId);

    const observer = {
      // videoTileDidUpdate is called whenever a new tile is created or tileState changes.
      videoTileDidUpdate: tileState => {
        // Ignore a tile without attendee ID and other attendee's tile.
        if (!tileState.boundAttendeeId || !tileState.localTile) {
          return;
        }

        meetingSession.audioVideo.bindVideoElement(tileState.tileId, videoElement);
      }
    };

    meetingSession.audioVideo.addObserver(observer);

    meetingSession.audioVideo.startLocalVideoTile();
  },

  async 13(meetingSession, ctx) {
    const videoElement = ctx.videoElement /* HTMLVideoElement object e.g. document.getElementById('video-element-id') */;

    let localTileId = null;
    const observer = {
      videoTileDidUpdate: tileState => {
        // Ignore a tile without attendee ID and other attendee's tile.
        if (!tileState.boundAttendeeId || !tileState.localTile) {
          return;
        }

        // videoTileDidUpdate is also invoked when you call startLocalVideoTile or tileState changes.
        console.log(`If you called stopLocalVideoTile, ${tileState.active} is false.`);
        meetingSession.audioVideo.bindVideoElement(tileState.tileId, videoElement);
        localTileId = tileState.tileId;
      },
      videoTileWasRemoved: tileId => {
        if (localTileId === tileId) {
          console.log(`You called removeLocalVideoTile. videoElement can be bound to another tile.`);
          localTileId = null;
        }
      }
    };

    meetingSession.audioVideo.addObserver(observer);

    meetingSession.audioVideo.stopLocalVideoTile();

    // Optional: You can remove the local tile from the session.
    meetingSession.audioVideo.removeLocalVideoTile();
  },

  async 14(meetingSession, ctx) {
    const videoElement = ctx.videoElement /* HTMLVideoElement object e.g. document.getElementById('video-element-id') */;

    const observer = {
      // videoTileDidUpdate is called whenever a new tile is created or tileState changes.
      videoTileDidUpdate: tileState => {
        // Ignore a tile without attendee ID, a local tile (your video), and a content share.
        if (!tileState.boundAttendeeId || tileState.localTile || tileState.isContent) {
          return;
        }

        meetingSession.audioVideo.bindVideoElement(tileState.tileId, videoElement);
      }
    };

    meetingSession.audioVideo.addObserver(observer);
  },

  async 15(meetingSession, ctx) {
    const videoElements = ctx.videoElements /* an array of 16 HTMLVideoElement objects in your application */;

    // index-tileId pairs
    const indexMap = {};

    const acquireVideoElement = tileId => {
      // Return the same video element if already bound.
      for (let i = 0; i < 16; i += 1) {
        if (indexMap[i] === tileId) {
          return videoElements[i];
        }
      }
      // Return the next available video element.
      for (let i = 0; i < 16; i += 1) {
        if (!indexMap.hasOwnProperty(i)) {
          indexMap[i] = tileId;
          return videoElements[i];
        }
      }
      throw new Error('no video element is available');
    };

    const releaseVideoElement = tileId => {
      for (let i = 0; i < 16; i += 1) {
        if (indexMap[i] === tileId) {
          delete indexMap[i];
          return;
        }
      }
    };

    const observer = {
      // videoTileDidUpdate is called whenever a new tile is created or tileState changes.
      videoTileDidUpdate: tileState => {
        // Ignore a tile without attendee ID, a local tile (your video), and a content share.
        if (!tileState.boundAttendeeId || tileState.localTile || tileState.isContent) {
          return;
        }

        meetingSession.audioVideo.bindVideoElement(
          tileState.tileId,
          acquireVideoElement(tileState.tileId)
        );
      },
      videoTileWasRemoved: tileId => {
        releaseVideoElement(tileId);
      }
    };

    meetingSession.audioVideo.addObserver(observer);
    return indexMap;
  },

  async 16(meetingSession) {
    const observer = {
      videoTileDidUpdate: tileState => {
        // Ignore a tile without attendee ID and videos.
        if (!tileState.boundAttendeeId || !tileState.isContent) {
          return;
        }

        const yourAttendeeId = meetingSession.configuration.credentials.attendeeId;

        // tileState.boundAttendeeId is formatted as "attendee-id#content".
        const boundAttendeeId = tileState.boundAttendeeId;

        // Get the attendee ID from "attendee-id#content".
        const baseAttendeeId = new DefaultModality(boundAttendeeId).base();
        if (baseAttendeeId === yourAttendeeId) {
          console.log('You called startContentShareFromScreenCapture');
        }
      },
      contentShareDidStart: () => {
        console.log('Screen share started');
      },
      contentShareDidStop: () => {
        // Chime SDK allows 2 simultaneous content shares per meeting.
        // This method will be invoked if two attendees are already sharing content
        // when you call startContentShareFromScreenCapture or startContentShare.
        console.log('Screen share stopped');
      }
    };

    meetingSession.audioVideo.addContentShareObserver(observer);
    meetingSession.audioVideo.addObserver(observer);

    // A browser will prompt the user to choose the screen.
    await meetingSession.audioVideo.startContentShareFromScreenCapture();
  },

  async 17(meetingSession, ctx) {
    const sourceId = ctx.sourceId /* Window or screen ID e.g. the ID of a DesktopCapturerSource object in Electron */;

    await meetingSession.audioVideo.startContentShareFromScreenCapture(sourceId);
  },

  async 18(meetingSession, ctx) {
    const videoElement = ctx.videoElement /* HTMLVideoElement object e.g. document.getElementById('video-element-id') */;
    const inputElement = ctx.inputElement /* HTMLInputElement object e.g. document.getElementById('input-element-id') */;

    inputElement.addEventListener('change', async () => {
      const file = inputElement.files[0];
      const url = URL.createObjectURL(file);
      videoElement.src = url;
      await videoElement.play();

      const mediaSream = videoElement.captureStream();
      await meetingSession.audioVideo.startContentShare(mediaSream);
      inputElement.value = '';
    });
  },

  async 19(meetingSession) {
    const observer = {
      contentShareDidStop: () => {
        console.log('Content share stopped');
      }
    };

    meetingSession.audioVideo.addContentShareObserver(observer);

    await meetingSession.audioVideo.stopContentShare();
  },

  async 20(meetingSession, ctx) {
    const videoElementStack = ctx.videoElementStack /* an array of 2 HTMLVideoElement objects in your application */;

    // tileId-videoElement map
    const tileMap = {};

    const observer = {
      videoTileDidUpdate: tileState => {
        // Ignore a tile without attendee ID and videos.
        if (!tileState.boundAttendeeId || !tileState.isContent) {
          return;
        }

        const yourAttendeeId = meetingSession.configuration.credentials.attendeeId;

        // tileState.boundAttendeeId is formatted as "attendee-id#content".
        const boundAttendeeId = tileState.boundAttendeeId;

        // Get the attendee ID from "attendee-id#content".
        const baseAttendeeId = new DefaultModality(boundAttendeeId).base();
        if (baseAttendeeId !== yourAttendeeId) {
          console.log(`${baseAttendeeId} is sharing screen now`);

          // Get the already bound video element if available, or use an unbound element.
          const videoElement = tileMap[tileState.tileId] || videoElementStack.pop();
          if (videoElement) {
            tileMap[tileState.tileId] = videoElement;
            meetingSession.audioVideo.bindVideoElement(tileState.tileId, videoElement);
          } else {
            console.log('No video element is available');
          }
        }
      },
      videoTileWasRemoved: tileId => {
        // Release the unused video element.
        const videoElement = tileMap[tileId];
        if (videoElement) {
          videoElementStack.push(videoElement);
          delete tileMap[tileId];
        }
      }
    };

    meetingSession.audioVideo.addObserver(observer);
    return tileMap;
  },

  async 21(meetingSession) {
    const attendeePresenceSet = new Set();
    const callback = (presentAttendeeId, present) => {
      console.log(`Attendee ID: ${presentAttendeeId} Present: ${present}`);
      if (present) {
        attendeePresenceSet.add(presentAttendeeId);
      } else {
        attendeePresenceSet.delete(presentAttendeeId);
      }
    };

    meetingSession.audioVideo.realtimeSubscribeToAttendeeIdPresence(callback);
    return attendeePresenceSet;
  },

  async 22(meetingSession) {
    const roster = {};

    meetingSession.audioVideo.realtimeSubscribeToAttendeeIdPresence(
      (presentAttendeeId, present) => {
        if (!present) {
          delete roster[presentAttendeeId];
          return;
        }

        meetingSession.audioVideo.realtimeSubscribeToVolumeIndicator(
          presentAttendeeId,
          (attendeeId, volume, muted, signalStrength) => {
            const baseAttendeeId = new DefaultModality(attendeeId).base();
            if (baseAttendeeId !== attendeeId) {
              // Optional: Do not include the content attendee (attendee-id#content) in the roster.
              // See the "Screen and content share" section for details.
              return;
            }

            if (roster.hasOwnProperty(attendeeId)) {
              // A null value for any field means that it has not changed.
              roster[attendeeId].volume = volume; // a fraction between 0 and 1
              roster[attendeeId].muted = muted; // A booolean
              roster[attendeeId].signalStrength = signalStrength; // 0 (no signal), 0.5 (weak), 1 (strong)
            } else {
              // Add an attendee.
              // Optional: You can fetch more data, such as attendee name,
              // from your server application and set them here.
              roster[attendeeId] = {
                attendeeId,
                volume,
                muted,
                signalStrength
              };
            }
          }
        );
      }
    );
    return roster;
  },

  async 23(meetingSession) {
    const observer = {
      videoSendHealthDidChange: (bitrateKbps, packetsPerSecond) => {
        console.log(`Sending bitrate in kilobits per second: ${bitrateKbps} and ${packetsPerSecond}`);
      },
      videoSendBandwidthDidChange: (newBandwidthKbps, oldBandwidthKbps) => {
        console.log(`Sending bandwidth changed from ${oldBandwidthKbps} to ${newBandwidthKbps}`);
      },
      videoReceiveBandwidthDidChange: (newBandwidthKbps, oldBandwidthKbps) => {
        console.log(`Receiving bandwidth changed from ${oldBandwidthKbps} to ${newBandwidthKbps}`);
      }
    };

    meetingSession.audioVideo.addObserver(observer);
  },

  async 24(meetingSession) {
    const observer = {
      connectionDidBecomePoor: () => {
        console.log('Your connection is poor');
      },
      connectionDidSuggestStopVideo: () => {
        console.log('Recommend turning off your video');
      },
      videoSendDidBecomeUnavailable: () => {
        // Chime SDK allows a total of 16 simultaneous videos per meeting.
        // If you try to share more video, this method will be called.
        // See videoAvailabilityDidChange below to find out when it becomes available.
        console.log('You cannot share your video');
      },
      videoAvailabilityDidChange: videoAvailability => {
        // canStartLocalVideo will also be true if you are already sharing your video.
        if (videoAvailability.canStartLocalVideo) {
          console.log('You can share your video');
        } else {
          console.log('You cannot share your video');
        }
      }
    };

    meetingSession.audioVideo.addObserver(observer);
  },

  async 25(meetingSession) {
    const observer = {
      audioVideoDidStop: sessionStatus => {
        const sessionStatusCode = sessionStatus.statusCode();
        if (sessionStatusCode === MeetingSessionStatusCode.Left) {
          /*
            - You called meetingSession.audioVideo.stop().
            - When closing a browser window or page, Chime SDK attempts to leave the session.
          */
          console.log('You left the session');
        } else {
          console.log('Stopped with a session status code: ', sessionStatusCode);
        }
      }
    };

    meetingSession.audioVideo.addObserver(observer);

    meetingSession.audioVideo.stop();
  },

  async 26(meetingSession) {
    const observer = {
      audioVideoDidStop: sessionStatus => {
        const sessionStatusCode = sessionStatus.statusCode();
        if (sessionStatusCode === MeetingSessionStatusCode.AudioCallEnded) {
          /*
            - You (or someone else) have called the DeleteMeeting API action in your server application.
            - No audio connections are present in the meeting for more than five minutes.
            - Fewer than two audio connections are present in the meeting for more than 30 minutes.
            - Screen share viewer connections are inactive for more than 30 minutes.
            - The meeting time exceeds 24 hours.
            See https://docs.aws.amazon.com/chime/latest/dg/mtgs-sdk-mtgs.html for details.
          */
          console.log('The session has ended');
        } else {
          console.log('Stopped with a session status code: ', sessionStatusCode);
        }
      }
    };

    meetingSession.audioVideo.addObserver(observer);
  },
};
