#!/usr/bin/env node
// Drives the demo's recording and streaming UI in Debian's Chromium against a running server with
// media services (GStreamer) and checks what people see and what the server makes:
//  - the meeting's first joiner is its host and has Record / Go live; a guest has neither, and the
//    demo backend refuses a guest's calls (403);
//  - the host starts recording -> the guest's top bar shows REC (from the room events), and so does
//    someone who joins while it runs; the host stops -> REC goes away for everyone, the host gets
//    a download link, and the downloaded file is an MP4 (ffprobe) with moving video and sound;
//  - a stream to an RTMP port where nothing listens is refused with the reason in the dialog;
//    a stream to a local ffmpeg RTMP listener shows LIVE for both, and the FLV it receives has
//    video and audio.
// Screenshots go to <outDir>/meet-media-*.png.
//
//   node apps/meet/scripts/mediaCheck.mjs http://localhost:8091 [outDir]
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const base = (process.argv[2] ?? 'http://localhost:8080').replace(/\/$/, '');
const outDir = process.argv[3] ?? '/tmp';
const meeting = `media-check-${Math.floor(Math.random() * 100000)}`;
const executablePath = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';
const args = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required',
  '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
];

const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
  return ok;
};
const shot = async (page, name) => {
  const path = `${outDir}/meet-media-${name}.png`;
  await page.screenshot({ path });
  console.log(`     saved ${path}`);
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const visible = (page, selector, timeout = 15_000) => page.waitForSelector(selector, { state: 'visible', timeout }).then(() => true, () => false);
const gone = (page, selector, timeout = 15_000) => page.waitForSelector(selector, { state: 'hidden', timeout }).then(() => true, () => false);

/** ffprobe's view of a file: streams and duration. */
function probe(file) {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=format_name,duration:stream=codec_type,codec_name,width,height', '-of', 'json', file], { encoding: 'utf8' });
  if (r.status !== 0) return { error: r.stderr.trim() };
  const j = JSON.parse(r.stdout);
  return { format: j.format?.format_name, duration: Number(j.format?.duration ?? 0), streams: j.streams ?? [] };
}

/** Mean volume (dB) and whether two frames 1 s apart differ (the fake camera's picture moves). */
function content(file, at) {
  const vol = spawnSync('ffmpeg', ['-v', 'info', '-ss', String(at), '-t', '3', '-i', file, '-vn', '-af', 'volumedetect', '-f', 'null', '-'], { encoding: 'utf8' });
  const mean = Number(/mean_volume: (-?[\d.]+) dB/.exec(vol.stderr)?.[1] ?? -100);
  const frame = (t) => spawnSync('ffmpeg', ['-v', 'error', '-ss', String(t), '-i', file, '-frames:v', '1', '-s', '64x36', '-pix_fmt', 'gray', '-f', 'rawvideo', '-'], { maxBuffer: 1 << 20 }).stdout;
  const a = frame(at);
  const b = frame(at + 1);
  let diff = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) diff += Math.abs(a[i] - b[i]);
  let sum = 0;
  for (const v of a) sum += v;
  return { meanVolumeDb: mean, frameDiff: a.length ? diff / a.length : 0, meanLuma: a.length ? sum / a.length : 0 };
}

/** True once something listens on 127.0.0.1:port (read from /proc, so ffmpeg's one accept is not used up). */
function listening(port) {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8').split('\n').some((l) => {
    const f = l.trim().split(/\s+/);
    return f[1]?.endsWith(`:${hex}`) && f[3] === '0A';
  });
}

async function open(browser, name, viewport = { width: 1280, height: 800 }, init) {
  const context = await browser.newContext({ viewport, acceptDownloads: true });
  if (init) await context.addInitScript(init.fn, init.arg);
  const page = await context.newPage();
  page.on('pageerror', (err) => console.log(`     [${name}] page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') console.log(`     [${name}] ${msg.type()}: ${msg.text()}`);
  });
  const joinInfo = new Promise((resolve) => {
    page.on('response', (res) => {
      if (res.url().endsWith('/demo/join')) res.json().then((j) => resolve(j.JoinInfo), () => resolve(undefined));
    });
  });
  await page.goto(`${base}/?m=${encodeURIComponent(meeting)}`);
  await page.waitForSelector('.join-form');
  await page.fill('#name', name);
  await page.click('button[type=submit]');
  await page.waitForSelector('.meeting', { timeout: 20_000 });
  return { context, page, name, joinInfo: await joinInfo };
}

const browser = await chromium.launch({ executablePath, headless: true, args });
let rtmp;
try {
  // 1. The first joiner is the host; the second a guest.
  const host = await open(browser, 'Hana Host');
  check(typeof host.joinInfo?.Host?.Key === 'string', 'the first joiner gets a host key from /demo/join');
  const meetingId = host.joinInfo.Meeting.Meeting.MeetingId;
  check(await visible(host.page, '.ctl-record') && await visible(host.page, '.ctl-live'), 'the host has Record and Go live buttons');
  check(await host.page.getAttribute('.ctl-record', 'aria-pressed') === 'false', 'Record starts unpressed (aria-pressed=false)');
  const guest = await open(browser, 'Gus Guest');
  check(guest.joinInfo && !('Host' in guest.joinInfo), 'the second joiner gets no host key');
  await sleep(1500);
  check(await guest.page.$('.ctl-record') === null && await guest.page.$('.ctl-live') === null, 'a guest sees no Record / Go live buttons');
  check(!(await guest.page.isVisible('.pill-rec')) && !(await guest.page.isVisible('.pill-live')), 'nobody sees REC or LIVE before anything starts');
  await shot(host.page, 'host-idle');

  // 2. The backend refuses a guest: no key, a made-up key; from the guest's own page too.
  for (const [what, headers] of [['no key', {}], ['a made-up key', { 'x-demo-host-key': 'guess-guess-guess-guess' }]]) {
    const res = await fetch(`${base}/demo/meetings/${meetingId}/recordings`, { method: 'POST', headers });
    check(res.status === 403, `POST recordings with ${what} -> ${res.status} (want 403)`);
    const s = await fetch(`${base}/demo/meetings/${meetingId}/streams`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ url: 'rtmp://127.0.0.1/live/x' }) });
    check(s.status === 403, `POST streams with ${what} -> ${s.status} (want 403)`);
  }
  const fromGuest = await guest.page.evaluate(async (id) => (await fetch(`/demo/meetings/${id}/recordings`, { method: 'POST' })).status, meetingId);
  check(fromGuest === 403, `the guest's page calling the record route gets ${fromGuest} (want 403)`);

  // 3. Record: the guest sees REC, driven by the room events.
  const t0 = Date.now();
  await host.page.click('.ctl-record');
  let recordedFrom = 0;
  const recSeen = await visible(guest.page, '.pill-rec', 20_000);
  const recMs = Date.now() - t0;
  recordedFrom = Date.now();
  check(recSeen, `the guest sees REC ${recMs} ms after the host clicked Record`);
  check(await visible(host.page, '.pill-rec', 5000), 'the host sees REC too');
  check(await host.page.waitForFunction(() => document.querySelector('.ctl-record')?.getAttribute('aria-pressed') === 'true', null, { timeout: 5000 }).then(() => true, () => false), 'Record shows pressed (aria-pressed=true) while recording');
  await sleep(1200);
  await shot(guest.page, 'guest-rec');
  await shot(host.page, 'host-rec');

  // Someone joining while it records sees REC at once (read at join with room.subscribe).
  const late = await open(browser, 'Lee Late');
  const lateT = Date.now();
  const lateSeen = await visible(late.page, '.pill-rec', 5000);
  check(lateSeen, `a participant joining mid-recording sees REC (${Date.now() - lateT} ms after the meeting screen showed)`);
  await shot(late.page, 'late-joiner-rec');
  await late.context.close();

  // 4. Stop after a few seconds: REC goes away, the host gets a download link, the file is a real MP4.
  await sleep(5000);
  const t1 = Date.now();
  const recordedFor = (t1 - recordedFrom) / 1000;
  await host.page.click('.ctl-record');
  check(await gone(guest.page, '.pill-rec', 20_000), `REC goes away for the guest (${Date.now() - t1} ms after Stop)`);
  const linkShown = await visible(host.page, '.banner a[download]', 20_000);
  check(linkShown, `the host gets a download link (${Date.now() - t1} ms after Stop)`);
  check(await guest.page.$('.banner a[download]') === null, 'the guest gets no download link');
  await sleep(500);
  await shot(host.page, 'host-saved');
  if (linkShown) {
    const href = await host.page.getAttribute('.banner a[download]', 'href');
    // Through the browser's own download, as a person clicking it.
    const [download] = await Promise.all([host.page.waitForEvent('download', { timeout: 15_000 }), host.page.click('.banner a[download]')]);
    const file = `${outDir}/meet-media-recording.mp4`;
    await download.saveAs(file);
    const info = probe(file);
    const video = info.streams?.find((s) => s.codec_type === 'video');
    const audio = info.streams?.find((s) => s.codec_type === 'audio');
    console.log(`     recording: ${statSync(file).size} bytes, ${JSON.stringify(info)}`);
    check(/mp4/.test(info.format ?? '') && !!video && !!audio, `the downloaded recording is an MP4 with video (${video?.codec_name} ${video?.width}x${video?.height}) and audio (${audio?.codec_name})`);
    // From REC showing to Stop is the least it holds; it may start a little before REC shows.
    check(info.duration >= recordedFor - 1 && info.duration <= (t1 - t0) / 1000 + 3, `it lasts about as long as recorded (${info.duration.toFixed(1)} s; REC showed for ${recordedFor.toFixed(1)} s, Record to Stop ${((t1 - t0) / 1000).toFixed(1)} s)`);
    const c = content(file, Math.max(0.5, info.duration / 2 - 1));
    check(c.frameDiff > 1, `its video moves (mean frame difference ${c.frameDiff.toFixed(1)}, mean luma ${c.meanLuma.toFixed(0)})`);
    check(c.meanVolumeDb > -50, `its audio carries sound (mean volume ${c.meanVolumeDb} dB)`);
    spawnSync('ffmpeg', ['-v', 'error', '-y', '-ss', String(Math.max(0.5, info.duration / 2)), '-i', file, '-frames:v', '1', `${outDir}/meet-media-recording-frame.png`]);
    console.log(`     saved ${outDir}/meet-media-recording-frame.png`);
    const forged = await fetch(`${base}${href.replace(/token=[^&]+/, 'token=forged')}`);
    check(forged.status === 404, `the download link with a forged token -> ${forged.status} (want 404)`);
  }

  // 5. Streaming to a port where nothing listens: refused, with the reason in the dialog.
  const port = 19350 + Math.floor(Math.random() * 500);
  await host.page.click('.ctl-live');
  await host.page.waitForSelector('.stream-dialog[open]');
  await host.page.fill('#stream-url', `rtmp://127.0.0.1:${port + 1}/live/key`);
  const t2 = Date.now();
  await host.page.click('.stream-dialog button[type=submit]');
  const refused = await visible(host.page, '#stream-error', 30_000);
  const refusedText = refused ? await host.page.textContent('#stream-error') : '';
  check(refused && /RTMP/.test(refusedText ?? ''), `a refused stream shows why in the dialog after ${Date.now() - t2} ms: "${refusedText}"`);
  check(!(await guest.page.isVisible('.pill-live')), 'a refused stream shows no LIVE');
  check(await host.page.$('.banner[data-key=stream]') === null, 'a refused stream is reported once (in the dialog), not also as "the stream ended"');
  await shot(host.page, 'stream-refused');

  // 6. A real RTMP listener: LIVE for both, and the listener receives video and audio.
  const flv = `${outDir}/meet-media-stream.flv`;
  rmSync(flv, { force: true });
  rtmp = spawn('ffmpeg', ['-v', 'error', '-listen', '1', '-i', `rtmp://127.0.0.1:${port}/live/key`, '-c', 'copy', '-f', 'flv', '-y', flv], { stdio: ['ignore', 'ignore', 'pipe'] });
  let rtmpErr = '';
  rtmp.stderr.on('data', (d) => (rtmpErr += d));
  const rtmpExit = new Promise((resolve) => rtmp.on('exit', (code) => resolve(code)));
  const until = Date.now() + 10_000;
  while (!listening(port) && Date.now() < until) await sleep(100);
  check(listening(port), `the test RTMP listener listens on ${port}`);
  await host.page.fill('#stream-url', `rtmp://127.0.0.1:${port}/live/key`);
  const t3 = Date.now();
  await host.page.click('.stream-dialog button[type=submit]');
  const liveGuest = await visible(guest.page, '.pill-live', 30_000);
  check(liveGuest, `the guest sees LIVE ${Date.now() - t3} ms after Go live`);
  check(await visible(host.page, '.pill-live', 5000), 'the host sees LIVE');
  check(await visible(host.page, '.stream-dialog .stream-state', 5000) && await visible(host.page, '.stream-dialog button.btn-danger', 5000), 'the dialog shows the stream and a Stop button');
  const shownUrl = await host.page.textContent('.stream-dialog .stream-state');
  check(!shownUrl?.includes('/live/key'), `the dialog hides the stream key ("${shownUrl?.trim()}")`);
  await sleep(1000);
  await shot(host.page, 'stream-live-dialog');
  await host.page.keyboard.press('Escape');
  check(await host.page.getAttribute('.ctl-live', 'aria-pressed') === 'true', 'Go live shows pressed while live');
  await shot(host.page, 'host-live');
  await shot(guest.page, 'guest-live');
  await sleep(4000);
  await host.page.click('.ctl-live');
  await host.page.click('.stream-dialog button.btn-danger');
  check(await gone(guest.page, '.pill-live', 15_000), 'LIVE goes away for the guest after Stop stream');
  await sleep(500);
  check(await host.page.$('.banner[data-key=stream]') === null, 'stopping the stream is not reported as a failure');
  await host.page.keyboard.press('Escape');
  const code = await Promise.race([rtmpExit, sleep(10_000).then(() => 'timeout')]);
  if (code === 'timeout') rtmp.kill('SIGINT');
  const flvInfo = probe(flv);
  console.log(`     stream: ${JSON.stringify(flvInfo)}${rtmpErr ? ` (listener: ${rtmpErr.trim().slice(0, 200)})` : ''}`);
  const fv = flvInfo.streams?.find((s) => s.codec_type === 'video');
  const fa = flvInfo.streams?.find((s) => s.codec_type === 'audio');
  check(!!fv && !!fa && flvInfo.duration >= 2, `the RTMP listener received video (${fv?.codec_name} ${fv?.width}x${fv?.height}) and audio (${fa?.codec_name}), ${flvInfo.duration?.toFixed?.(1)} s`);
  if (fv) {
    const c = content(flv, Math.max(0.5, flvInfo.duration / 2 - 1));
    check(c.frameDiff > 1 && c.meanVolumeDb > -50, `the stream's video moves (diff ${c.frameDiff.toFixed(1)}) and carries sound (${c.meanVolumeDb} dB)`);
  }

  // 7. The host's controls on a phone (the same host rejoining from another window with its key).
  const key = host.joinInfo.Host.Key;
  const phone = await open(browser, 'Hana (phone)', { width: 390, height: 844 }, {
    fn: ([m, k]) => localStorage.setItem(`parley.hostKey.${m}`, k),
    arg: [meeting, key],
  });
  check(phone.joinInfo?.Host?.Key === key, 'rejoining with the saved host key is host again');
  await sleep(2000);
  const fits = await phone.page.evaluate(() => {
    const bar = document.querySelector('.controlbar').getBoundingClientRect();
    return [...document.querySelectorAll('.controlbar .ctl')].filter((b) => b.offsetParent).every((b) => {
      const r = b.getBoundingClientRect();
      return r.left >= bar.left && r.right <= bar.right;
    });
  });
  check(fits, 'on a 390 px phone the host\'s control bar fits');
  await shot(phone.page, 'host-phone');
  await phone.context.close();

  writeFileSync(`${outDir}/meet-media-meeting.txt`, `${meeting} ${meetingId}\n`);
  await host.context.close();
  await guest.context.close();
} finally {
  if (rtmp && rtmp.exitCode === null) rtmp.kill('SIGINT');
  await browser.close();
}

console.log(failures.length === 0 ? '\nall checks passed' : `\n${failures.length} check(s) failed`);
process.exit(failures.length === 0 ? 0 : 1);
