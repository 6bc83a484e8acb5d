// Synthetic media for tests and what-was-received probes. Loaded by the e2e harness pages.

/**
 * A canvas filled with one colour (a small square moves so frames keep flowing). `textured`
 * scatters fresh random blocks over the outer quarter of each frame, so an encoder needs real
 * bitrate (as a camera does) while the centre, where averageColour looks, stays one colour.
 */
export function colourTrack(colour, width = 320, height = 240, fps = 15, { textured = false } = {}) {
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  let x = 0;
  const block = Math.max(4, Math.round(width / 80));
  const draw = () => {
    ctx.fillStyle = colour;
    ctx.fillRect(0, 0, width, height);
    if (textured) {
      for (let i = 0; i < 600; i++) {
        const bx = Math.random() * width;
        const by = Math.random() * height;
        if (bx > width / 5 && bx < (width * 4) / 5 && by > height / 5 && by < (height * 4) / 5) continue;
        ctx.fillStyle = `rgb(${(Math.random() * 256) | 0},${(Math.random() * 256) | 0},${(Math.random() * 256) | 0})`;
        ctx.fillRect(bx, by, block, block);
      }
    }
    ctx.fillStyle = '#808080';
    ctx.fillRect(x, 0, 8, 8);
    x = (x + 4) % width;
  };
  draw();
  const timer = setInterval(draw, 1000 / fps);
  const track = canvas.captureStream(fps).getVideoTracks()[0];
  track.addEventListener('ended', () => clearInterval(timer));
  return track;
}

let audioContext;
export function getAudioContext() {
  audioContext ??= new AudioContext();
  return audioContext;
}

/** A sine tone of `frequency` Hz; `gain` can be changed later through the returned node. */
export function toneTrack(frequency, level = 0.3) {
  const ctx = getAudioContext();
  const osc = ctx.createOscillator();
  osc.frequency.value = frequency;
  const gain = ctx.createGain();
  gain.gain.value = level;
  const dest = ctx.createMediaStreamDestination();
  osc.connect(gain).connect(dest);
  osc.start();
  return { track: dest.stream.getAudioTracks()[0], gain };
}

/** Average colour of the centre of what a <video> element currently shows. */
export function averageColour(video) {
  if (!video.videoWidth) return null;
  const canvas = document.createElement('canvas');
  canvas.width = 32;
  canvas.height = 32;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  const w = video.videoWidth;
  const h = video.videoHeight;
  ctx.drawImage(video, w / 4, h / 4, w / 2, h / 2, 0, 0, 32, 32);
  const data = ctx.getImageData(0, 0, 32, 32).data;
  let r = 0, g = 0, b = 0;
  for (let i = 0; i < data.length; i += 4) {
    r += data[i]; g += data[i + 1]; b += data[i + 2];
  }
  const n = data.length / 4;
  return { r: Math.round(r / n), g: Math.round(g / n), b: Math.round(b / n), width: w, height: h };
}

/**
 * Measures a received audio track: its dominant frequency and level. Chrome only feeds remote
 * WebRTC audio into WebAudio while a media element plays it, hence the muted <audio>.
 */
export function audioProbe(track) {
  const stream = new MediaStream([track]);
  const el = document.createElement('audio');
  el.srcObject = stream;
  el.muted = true;
  void el.play();
  const ctx = getAudioContext();
  const source = ctx.createMediaStreamSource(stream);
  const analyser = ctx.createAnalyser();
  analyser.fftSize = 4096;
  source.connect(analyser);
  const bins = new Float32Array(analyser.frequencyBinCount);
  const samples = new Float32Array(analyser.fftSize);
  return {
    /** RMS level (dBFS) of the last ~85 ms, unsmoothed: for comparing gains. */
    rms() {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const v of samples) sum += v * v;
      return 10 * Math.log10(sum / samples.length || 1e-12);
    },
    measure() {
      analyser.getFloatFrequencyData(bins);
      let peak = 0;
      for (let i = 1; i < bins.length; i++) if (bins[i] > bins[peak]) peak = i;
      return { frequency: Math.round((peak * ctx.sampleRate) / analyser.fftSize), dB: Math.round(bins[peak]) };
    },
    stop() {
      source.disconnect();
      el.srcObject = null;
    },
  };
}
