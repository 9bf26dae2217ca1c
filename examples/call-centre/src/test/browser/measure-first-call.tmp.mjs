// one-off (not committed): waits for the -Prun launcher's line, opens alice's desk, rings, waits for the pop-up
import { chromium } from 'playwright-core';
import { readFileSync } from 'node:fs';
const [log, port, t0] = [process.argv[2], process.argv[3], Number(process.argv[4])];
while (!/Call centre is running/.test(readFileSync(log, 'utf8'))) await new Promise((r) => setTimeout(r, 100));
const tReady = Date.now();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
const page = await browser.newPage();
await page.goto(`http://127.0.0.1:${port}/agent.html?name=alice`);
await page.locator('#agent-status[data-status="AVAILABLE"]').waitFor({ timeout: 60000 });
const tDesk = Date.now();
await fetch(`http://127.0.0.1:${port}/centre/calls`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"caller":"+44 20 7946 0000"}' });
await page.locator('#incoming-call:not([hidden])').waitFor({ timeout: 60000 });
const tPop = Date.now();
console.log(JSON.stringify({ readyS: (tReady - t0) / 1000, deskS: (tDesk - t0) / 1000, popupS: (tPop - t0) / 1000, ringToPopupMs: tPop - tDesk }));
await browser.close();
