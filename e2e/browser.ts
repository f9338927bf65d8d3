import { chromium, type Browser } from 'playwright-core';

// Debian's Chromium (apt-get install chromium): Playwright's own browser downloads are not reachable here.
export const CHROMIUM_PATH = process.env.HONE_CHROMIUM ?? '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
    ],
  });
}
