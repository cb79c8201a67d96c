import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { IdleWatchdog } from '../../src/lib/idle-watchdog.js';

test('an activity silent for idleMs is told once, never before idleMs', async () => {
  const watchdog = new IdleWatchdog(80);
  const started = Date.now();
  let toldAt = 0;
  let told = 0;
  watchdog.watch(() => {
    told++;
    toldAt = Date.now();
  });
  await sleep(250);
  watchdog.close();
  assert.equal(told, 1);
  assert.ok(toldAt - started >= 80 && toldAt - started < 200, `told after ${toldAt - started} ms`);
});

test('signs of life keep an activity going; an ended one is never told', async () => {
  const watchdog = new IdleWatchdog(80);
  let busyTold = false;
  let endedTold = false;
  const busy = watchdog.watch(() => (busyTold = true));
  watchdog.watch(() => (endedTold = true)).end();
  for (let i = 0; i < 10; i++) {
    await sleep(30);
    busy.touch();
  }
  assert.equal(busyTold, false, 'touched every 30 ms over 300 ms');
  assert.equal(endedTold, false);
  busy.end();
  watchdog.close();
});
