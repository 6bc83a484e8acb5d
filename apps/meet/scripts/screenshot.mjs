#!/usr/bin/env node
// Drives the demo app in Debian's Chromium: three people join one meeting (two desktop windows and
// a phone), it checks each sees three live video tiles and plays two remote audio streams, and
// saves screenshots of every screen to /tmp/meet-*.png. Ana joins first, so she is the meeting's host
// (Record / Go live in her bar); recording and streaming are checked by the sibling mediaCheck.mjs.
//
//   node apps/meet/scripts/screenshot.mjs http://localhost:8080 [outDir]
import { chromium } from 'playwright-core';

const base = (process.argv[2] ?? 'http://localhost:8080').replace(/\/$/, '');
const outDir = process.argv[3] ?? '/tmp';
const meeting = `design-review-${Math.floor(Math.random() * 1000)}`;
const executablePath = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';
const baseArgs = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required',
];
const mediaArgs = [
  '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
  '--auto-accept-this-tab-capture', '--auto-select-desktop-capture-source=Entire screen',
];

const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};
const shot = async (page, name) => {
  const path = `${outDir}/meet-${name}.png`;
  await page.screenshot({ path });
  console.log(`     saved ${path}`);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Tiles, whether their video moves (two canvas samples differ), and remote audio playback. */
async function inspect(page) {
  return page.evaluate(async () => {
    const sample = (video) => {
      if (!video.videoWidth) return null;
      const canvas = document.createElement('canvas');
      canvas.width = 64;
      canvas.height = 36;
      const ctx = canvas.getContext('2d');
      ctx.drawImage(video, 0, 0, 64, 36);
      return ctx.getImageData(0, 0, 64, 36).data;
    };
    const tiles = [...document.querySelectorAll('.tile')];
    const first = tiles.map((t) => sample(t.querySelector('video')));
    // The SDK plays every remote audio track through the one element bound with bindAudioElement.
    const element = document.querySelector('audio.meeting-audio');
    const startTime = element?.currentTime ?? 0;
    const tracks = element?.srcObject?.getAudioTracks() ?? [];
    // Loudness of each received track (the fake microphones beep).
    const ctx = new AudioContext();
    const meters = tracks.map((track) => {
      const analyser = ctx.createAnalyser();
      ctx.createMediaStreamSource(new MediaStream([track])).connect(analyser);
      return { analyser, data: new Float32Array(analyser.fftSize), peak: 0 };
    });
    const timer = setInterval(() => {
      for (const m of meters) {
        m.analyser.getFloatTimeDomainData(m.data);
        for (const v of m.data) m.peak = Math.max(m.peak, Math.abs(v));
      }
    }, 20);
    await new Promise((r) => setTimeout(r, 1200));
    clearInterval(timer);
    void ctx.close();
    const second = tiles.map((t) => sample(t.querySelector('video')));
    return {
      tiles: tiles.map((t, i) => {
        const a = first[i];
        const b = second[i];
        let diff = 0;
        if (a && b) for (let j = 0; j < a.length; j += 4) diff += Math.abs(a[j] - b[j]) + Math.abs(a[j + 1] - b[j + 1]);
        return {
          name: t.querySelector('.tile-name')?.textContent,
          kind: t.classList.contains('tile-content') ? 'content' : 'person',
          self: t.classList.contains('tile-self'),
          showsVideo: !t.classList.contains('no-video'),
          size: t.querySelector('video')?.videoWidth ?? 0,
          moving: diff > 0,
        };
      }),
      audioPlaying: !!element && !element.paused && element.currentTime > startTime,
      audio: tracks.map((track, i) => ({
        live: track.readyState === 'live',
        peak: Math.round(meters[i].peak * 1000) / 1000,
      })),
    };
  });
}

async function waitFor(page, predicate, what, timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs;
  let last;
  while (Date.now() < until) {
    last = await inspect(page);
    if (predicate(last)) return last;
    await sleep(500);
  }
  console.log(`     last state: ${JSON.stringify(last)}`);
  return last;
}

async function openPerson(browser, name, viewport, opts = {}) {
  const context = await browser.newContext({ viewport, deviceScaleFactor: opts.scale ?? 1, hasTouch: !!opts.touch, isMobile: !!opts.touch });
  // Keeps a handle on the page's WebSockets so a test can cut the signaling connection.
  await context.addInitScript(() => {
    const Native = window.WebSocket;
    window.__sockets = [];
    window.WebSocket = class extends Native {
      constructor(...args) {
        super(...args);
        window.__sockets.push(this);
      }
    };
  });
  const page = await context.newPage();
  page.on('pageerror', (err) => console.log(`     [${name}] page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' || msg.type() === 'warning') console.log(`     [${name}] ${msg.type()}: ${msg.text()}`);
  });
  await page.goto(`${base}/?m=${encodeURIComponent(meeting)}`);
  await page.waitForSelector('.join-form');
  await page.waitForFunction(() => !document.querySelector('.preview')?.classList.contains('no-video'), null, { timeout: 10_000 }).catch(() => undefined);
  return { context, page, name };
}

async function join(person) {
  await person.page.fill('#name', person.name);
  await person.page.click('button[type=submit]');
  await person.page.waitForSelector('.meeting', { timeout: 15_000 });
}

const browser = await chromium.launch({ executablePath, headless: true, args: [...baseArgs, ...mediaArgs] });
try {
  // 1. Join screen, desktop and phone.
  const ana = await openPerson(browser, 'Ana Lima', { width: 1280, height: 800 });
  await sleep(800);
  await shot(ana.page, 'join');
  check(await ana.page.inputValue('#meeting') === meeting, 'meeting name is prefilled from ?m=');

  const sam = await openPerson(browser, 'Sam Okafor', { width: 390, height: 844 }, { scale: 2, touch: true });
  await sleep(500);
  await shot(sam.page, 'join-phone');

  // 2. Alone, then two, then three.
  await join(ana);
  await sleep(1500);
  await shot(ana.page, 'alone');
  check(new URL(ana.page.url()).searchParams.get('m') === meeting, 'the URL carries ?m=<meeting>');

  const ben = await openPerson(browser, 'Ben Carter', { width: 1280, height: 800 });
  await join(ben);
  await waitFor(ana.page, (s) => s.tiles.filter((t) => t.showsVideo && t.moving).length === 2, 'two live tiles');
  await sleep(1000);
  await shot(ana.page, 'duo');

  await join(sam);
  const people = [ana, ben, sam];
  for (const person of people) {
    const state = await waitFor(
      person.page,
      (s) => s.tiles.length === 3 && s.tiles.every((t) => t.showsVideo && t.moving) && s.audioPlaying && s.audio.length === 2 && s.audio.every((a) => a.live && a.peak > 0.01),
      `${person.name}: 3 live tiles`,
    );
    check(state.tiles.length === 3, `${person.name} sees 3 tiles (${state.tiles.map((t) => t.name).join(', ')})`);
    check(state.tiles.every((t) => t.showsVideo && t.moving), `${person.name}: every tile shows moving video (${state.tiles.map((t) => `${t.name}:${t.size}px`).join(', ')})`);
    check(state.audioPlaying && state.audio.length === 2 && state.audio.every((a) => a.live), `${person.name}: the bound audio element plays 2 live remote tracks`);
    check(state.audio.every((a) => a.peak > 0.01), `${person.name}: remote audio carries sound (peaks ${state.audio.map((a) => a.peak).join(', ')})`);
  }
  await sleep(1200);
  await shot(ana.page, 'desktop');
  await shot(sam.page, 'phone');

  // 3. Mute and camera off on Ben: the others see the muted icon and his avatar.
  await ben.page.click('.ctl-mic');
  await ben.page.click('.ctl-cam');
  await ana.page.waitForFunction(() => {
    const tiles = [...document.querySelectorAll('.tile')].filter((t) => t.querySelector('.tile-name')?.textContent === 'Ben Carter');
    return tiles.length === 1 && tiles[0].classList.contains('mic-muted') && tiles[0].classList.contains('no-video');
  }, null, { timeout: 10_000 }).then(() => check(true, 'muting and stopping video show on the others\' tile'), () => check(false, 'muting and stopping video show on the others\' tile'));
  await ana.page.click('.ctl-people');
  await sleep(900);
  await shot(ana.page, 'people');
  await ben.page.click('.ctl-mic');
  await ben.page.click('.ctl-cam');

  // 4. Device settings.
  await ana.page.click('.ctl-settings');
  await sleep(500);
  await shot(ana.page, 'devices');
  const micOptions = await ana.page.$$eval('.dialog select', (sels) => sels.map((s) => s.options.length));
  check(micOptions[0] > 0 && micOptions[1] > 0, `device pickers list devices (${micOptions.join('/')})`);
  await ana.page.keyboard.press('Escape');
  await ana.page.click('.ctl-people');

  // 4b. Ben's signaling connection drops: he sees "Reconnecting…", the session reconnects by
  // itself, the notice clears, and the others see his video again.
  await ben.page.evaluate(() => {
    for (const ws of window.__sockets) if (ws.url.includes('/signaling')) ws.close();
  });
  const reconnecting = await ben.page.waitForSelector('.banner[data-key=connection]', { timeout: 5000 }).then(() => true, () => false);
  check(reconnecting, 'a dropped connection shows "Reconnecting…"');
  if (reconnecting) await shot(ben.page, 'reconnecting');
  const recovered = await ben.page.waitForSelector('.banner[data-key=connection]', { state: 'detached', timeout: 20_000 }).then(() => true, () => false);
  check(recovered, 'the notice clears once reconnected');
  const afterReconnect = await waitFor(ana.page, (s) => s.tiles.length === 3 && s.tiles.every((t) => t.showsVideo && t.moving) && s.audio.length === 2 && s.audio.every((a) => a.live && a.peak > 0.01), 'live again after reconnect');
  check(afterReconnect.tiles.length === 3 && afterReconnect.tiles.every((t) => t.showsVideo && t.moving), `after Ben reconnects Ana sees 3 moving tiles (${afterReconnect.tiles.map((t) => t.name).join(', ')})`);
  check(afterReconnect.audio.length === 2 && afterReconnect.audio.every((a) => a.live && a.peak > 0.01), 'after Ben reconnects Ana hears 2 remote tracks');

  // 5. Screen share from Ben: the others get a large content tile.
  await ben.page.click('.ctl-share');
  const shared = await ana.page.waitForSelector('.tile-content:not(.no-video)', { timeout: 12_000 }).then(() => true, () => false);
  check(shared, 'a shared screen reaches the others as a content tile');
  if (shared) {
    await sleep(1500);
    await shot(ana.page, 'share');
    await shot(sam.page, 'share-phone');
    await shot(ben.page, 'share-presenter');
    await ben.page.click('.ctl-share');
    const gone = await ana.page.waitForSelector('.tile-content', { state: 'detached', timeout: 10_000 }).then(() => true, () => false);
    check(gone, 'stopping the share removes the content tile');
  }

  // 6. Sam leaves: the end screen.
  await sam.page.click('.ctl-leave');
  await sam.page.waitForSelector('.end');
  await shot(sam.page, 'left');
  const after = await waitFor(ana.page, (s) => s.tiles.length === 2, 'two tiles after leave', 10_000);
  check(after.tiles.length === 2, 'a leaver\'s tile goes away');

  // 6b. Someone joins muted with the camera off (chosen on the join screen).
  const kai = await openPerson(browser, 'Kai Tanaka', { width: 1280, height: 800 });
  await kai.page.click('.preview-controls .round-btn:nth-child(1)');
  await kai.page.click('.preview-controls .round-btn:nth-child(2)');
  await join(kai);
  const kaiSeen = await ana.page.waitForFunction(() => {
    const tile = [...document.querySelectorAll('.tile')].find((t) => t.querySelector('.tile-name')?.textContent === 'Kai Tanaka');
    return !!tile && tile.classList.contains('mic-muted') && tile.classList.contains('no-video');
  }, null, { timeout: 10_000 }).then(() => true, () => false);
  check(kaiSeen, 'joining muted with the camera off shows a muted avatar tile to others');
  await kai.page.click('.ctl-mic');
  const kaiUnmuted = await ana.page.waitForFunction(() => {
    const tile = [...document.querySelectorAll('.tile')].find((t) => t.querySelector('.tile-name')?.textContent === 'Kai Tanaka');
    return !!tile && !tile.classList.contains('mic-muted');
  }, null, { timeout: 10_000 }).then(() => true, () => false);
  check(kaiUnmuted, 'unmuting after joining muted reaches the others');
  await kai.context.close();

  // 7. The meeting is deleted through the REST API (when credentials are given): everyone sees why.
  const secret = process.env.PARLEY_API_SECRET;
  if (secret) {
    const res = await fetch(`${base}/demo/join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ meeting, name: 'admin' }) });
    const { JoinInfo } = await res.json();
    const { Meeting } = JoinInfo.Meeting;
    const auth = `Basic ${Buffer.from(`${process.env.PARLEY_API_KEY ?? 'parley-dev-key'}:${secret}`).toString('base64')}`;
    const del = await fetch(`${base}/meetings/${Meeting.MeetingId}`, { method: 'DELETE', headers: { authorization: auth } });
    check(del.status < 300, `DELETE /meetings/<id> answered ${del.status}`);
    const ended = await ana.page.waitForSelector('.end[data-exit=AudioCallEnded]', { timeout: 10_000 }).then(() => true, () => false);
    check(ended, 'deleting the meeting shows "The meeting has ended"');
    await shot(ana.page, 'ended');
  } else {
    console.log('     (set PARLEY_API_SECRET to also check the meeting-ended screen)');
  }

  // 8. The server can't be reached: the join form says so.
  const eve = await openPerson(browser, 'Eve', { width: 1280, height: 800 });
  await eve.page.route('**/demo/join', (route) => route.abort('connectionrefused'));
  await eve.page.fill('#name', 'Eve');
  await eve.page.click('button[type=submit]');
  const joinError = await eve.page.waitForSelector('.form-error:not([hidden])', { timeout: 5000 }).then(() => true, () => false);
  check(joinError, 'a failed join is explained on the form');
  await shot(eve.page, 'join-error');

  for (const person of [...people, eve]) await person.context.close();
} finally {
  await browser.close();
}

// 9. Camera and microphone blocked (no auto-accept): joins receive-only with a banner.
const blocked = await chromium.launch({ executablePath, headless: true, args: [...baseArgs, '--use-fake-device-for-media-stream'] });
try {
  const context = await blocked.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${base}/?m=${encodeURIComponent(meeting)}`);
  await page.waitForSelector('.preview-status.warn', { timeout: 10_000 }).catch(() => undefined);
  await shot(page, 'join-blocked');
  await page.fill('#name', 'Dee (no camera)');
  await page.click('button[type=submit]');
  await page.waitForSelector('.meeting');
  const banner = await page.waitForSelector('.banner', { timeout: 5000 }).then(() => true, () => false);
  check(banner, 'blocked devices: joined receive-only with a banner');
  await sleep(1500);
  await shot(page, 'blocked');
  await context.close();
} finally {
  await blocked.close();
}

console.log(failures.length === 0 ? '\nall checks passed' : `\n${failures.length} check(s) failed`);
process.exit(failures.length === 0 ? 0 : 1);
