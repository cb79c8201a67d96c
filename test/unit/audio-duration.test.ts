import assert from 'node:assert/strict';
import { test } from 'node:test';
import { audioDurationSeconds } from '../../src/lib/audio-duration.js';
import { wav } from '../helpers/audio.js';

test('WAV: data size over byte rate', () => {
  assert.equal(audioDurationSeconds(wav(3)), 3);
});

test('FLAC: total samples over sample rate from STREAMINFO', () => {
  const file = Buffer.alloc(64);
  file.write('fLaC', 0, 'latin1');
  // 44,100 Hz in 20 bits at byte 18, total samples 441,000 (10 s) in the low 36 bits of bytes 21–25.
  const rate = 44_100;
  file[18] = rate >> 12;
  file[19] = (rate >> 4) & 0xff;
  file[20] = (rate & 0x0f) << 4;
  file.writeUInt32BE(441_000, 22);
  assert.equal(audioDurationSeconds(file), 10);
});

test('MP3: constant bitrate from consecutive frames, after an ID3 tag', () => {
  // MPEG-1 Layer III, 128 kbit/s, 44.1 kHz: 417-byte frames, 16,000 bytes a second.
  const frame = Buffer.concat([Buffer.from([0xff, 0xfb, 0x90, 0x00]), Buffer.alloc(413)]);
  const id3 = Buffer.concat([Buffer.from('ID3'), Buffer.from([4, 0, 0, 0, 0, 0, 10]), Buffer.alloc(10)]);
  const frames = Array.from({ length: 192 }, () => frame);
  const seconds = audioDurationSeconds(Buffer.concat([id3, ...frames]));
  assert.ok(seconds !== undefined && Math.abs(seconds - (192 * 417 * 8) / 128_000) < 1e-9, String(seconds));
});

test('a header cannot claim a shorter duration than its data, and chance sync bytes are not MP3', () => {
  const forged = wav(3);
  forged.writeUInt32LE(0xfffffff0, 28); // byte rate no longer sample rate × block align
  assert.equal(audioDurationSeconds(forged), undefined);
  let found = 0;
  for (let i = 0; i < 50; i++) {
    const noise = Buffer.alloc(256 * 1024);
    for (let j = 0; j < noise.length; j++) noise[j] = Math.floor(Math.random() * 256);
    if (audioDurationSeconds(noise) !== undefined) found++;
  }
  assert.ok(found <= 2, `random bytes taken for MP3 ${found} times in 50`);
  assert.equal(audioDurationSeconds(Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WAVEfmt '), Buffer.alloc(10)])), undefined, 'a truncated WAV does not throw');
});

test('unknown formats have no duration', () => {
  assert.equal(audioDurationSeconds(Buffer.from('OggS this is not parsed by the header reader')), undefined);
  assert.equal(audioDurationSeconds(Buffer.alloc(4)), undefined);
});
