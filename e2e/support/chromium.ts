import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium with fake devices and no background network: never a downloaded browser. */
export const CHROMIUM_PATH = process.env.PARLEY_CHROMIUM ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--use-fake-ui-for-media-stream',
      '--use-fake-device-for-media-stream', '--autoplay-policy=no-user-gesture-required',
      // Screen capture without a picker: getDisplayMedia gets the whole (virtual) screen.
      '--auto-select-desktop-capture-source=Entire screen', '--auto-accept-this-tab-capture',
      // Gather loopback candidates, so media flows over UDP to the server on 127.0.0.1. Without it
      // the UDP pairs (from the host's own address) get no answer and ICE settles on TCP.
      '--allow-loopback-in-peer-connection',
    ],
  });
}
