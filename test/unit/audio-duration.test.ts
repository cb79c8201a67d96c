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

test('MP3: constant bitrate from the first frame, after an ID3 tag', () => {
  // MPEG-1 Layer III, 128 kbit/s, 44.1 kHz: 16,000 bytes a second.
  const frameHeader = Buffer.from([0xff, 0xfb, 0x90, 0x00]);
  const id3 = Buffer.concat([Buffer.from('ID3'), Buffer.from([4, 0, 0, 0, 0, 0, 10]), Buffer.alloc(10)]);
  const audio = Buffer.concat([frameHeader, Buffer.alloc(16_000 * 5 - 4)]);
  assert.equal(audioDurationSeconds(Buffer.concat([id3, audio])), 5);
});

test('unknown formats have no duration', () => {
  assert.equal(audioDurationSeconds(Buffer.from('OggS this is not parsed by the header reader')), undefined);
  assert.equal(audioDurationSeconds(Buffer.alloc(4)), undefined);
});
