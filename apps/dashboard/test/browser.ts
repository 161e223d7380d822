/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';

/** Debian's chromium (`.ci/run` installs it when missing); playwright's own browser downloads fail here. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Screenshots and other artifacts of browser runs (git-ignored). */
export const artifactsDir = fileURLToPath(new URL('../test-artifacts/', import.meta.url));

export function launchChromium(): Promise<Browser> {
  mkdirSync(artifactsDir, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: chromiumArgs });
}

/** Waits until the page has drawn every panel (or shown its empty or error state). */
export async function settled(page: Page, states = ['ready']): Promise<void> {
  await page.waitForFunction((wanted) => wanted.includes(document.body.dataset.state ?? ''), states, {
    timeout: 45_000,
    polling: 100,
  });
}
