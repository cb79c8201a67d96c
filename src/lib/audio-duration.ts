/**
 * The duration of an uploaded audio file from its header, for transcriptions whose answer does not say
 * (`response_format` text, srt or vtt). WAV and FLAC are exact; MP3 uses the Xing/Info frame count when
 * present, else the first frame's bitrate (exact for constant bitrate). Other formats: undefined.
 */
export function audioDurationSeconds(file: Buffer): number | undefined {
  if (file.length < 12) return undefined;
  if (file.toString('latin1', 0, 4) === 'RIFF' && file.toString('latin1', 8, 12) === 'WAVE') return wavSeconds(file);
  if (file.toString('latin1', 0, 4) === 'fLaC') return flacSeconds(file);
  return mp3Seconds(file);
}

function wavSeconds(file: Buffer): number | undefined {
  let byteRate: number | undefined;
  let offset = 12;
  while (offset + 8 <= file.length) {
    const id = file.toString('latin1', offset, offset + 4);
    const size = file.readUInt32LE(offset + 4);
    if (id === 'fmt ' && offset + 24 <= file.length) {
      // The byte rate must agree with the format, so a header cannot claim a shorter duration than its data.
      const sampleRate = file.readUInt32LE(offset + 12);
      const declared = file.readUInt32LE(offset + 16);
      const blockAlign = file.readUInt16LE(offset + 20);
      if (sampleRate >= 4000 && sampleRate <= 384_000 && blockAlign > 0 && blockAlign <= 64 && declared === sampleRate * blockAlign) byteRate = declared;
    }
    if (id === 'data') {
      if (!byteRate) return undefined;
      // A streamed WAV may declare 0 or 0xFFFFFFFF: the bytes actually present count then.
      const dataBytes = size === 0 || size === 0xffffffff ? file.length - offset - 8 : Math.min(size, file.length - offset - 8);
      return dataBytes / byteRate;
    }
    offset += 8 + size + (size % 2);
  }
  return undefined;
}

function flacSeconds(file: Buffer): number | undefined {
  // STREAMINFO is the first metadata block: sample rate (20 bits) and total samples (36 bits) at bytes 18–25.
  if (file.length < 26) return undefined;
  const sampleRate = (file[18]! << 12) | (file[19]! << 4) | (file[20]! >> 4);
  const totalSamples = (file[21]! & 0x0f) * 2 ** 32 + file.readUInt32BE(22);
  if (!sampleRate || !totalSamples) return undefined;
  // The sample count is only a header field: the file can be no shorter than its bytes played uncompressed.
  const channels = ((file[20]! >> 1) & 0x07) + 1;
  const bitsPerSample = (((file[20]! & 0x01) << 4) | (file[21]! >> 4)) + 1;
  return Math.max(totalSamples / sampleRate, file.length / ((sampleRate * channels * bitsPerSample) / 8));
}

const MPEG1_L3_KBPS = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const MPEG2_L3_KBPS = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
const RATES: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };

function mp3Seconds(file: Buffer): number | undefined {
  let offset = 0;
  if (file.toString('latin1', 0, 3) === 'ID3' && file.length >= 10) {
    offset = 10 + (((file[6]! & 0x7f) << 21) | ((file[7]! & 0x7f) << 14) | ((file[8]! & 0x7f) << 7) | (file[9]! & 0x7f));
  }
  const searchEnd = Math.min(file.length - 4, offset + 64 * 1024);
  for (let at = offset; at < searchEnd; at++) {
    if (file[at] !== 0xff || (file[at + 1]! & 0xe0) !== 0xe0) continue;
    const version = (file[at + 1]! >> 3) & 0x03; // 3 = MPEG-1, 2 = MPEG-2, 0 = MPEG-2.5
    const layer = (file[at + 1]! >> 1) & 0x03; // 1 = Layer III
    const bitrateIndex = file[at + 2]! >> 4;
    const rateIndex = (file[at + 2]! >> 2) & 0x03;
    if (version === 1 || layer !== 1 || bitrateIndex === 0 || bitrateIndex === 15 || rateIndex === 3) continue;
    const sampleRate = RATES[version]![rateIndex]!;
    const kbps = (version === 3 ? MPEG1_L3_KBPS : MPEG2_L3_KBPS)[bitrateIndex]!;
    const samplesPerFrame = version === 3 ? 1152 : 576;
    // A sync pattern can occur by chance in any binary: the next frame must follow where this one ends.
    const padding = (file[at + 2]! >> 1) & 0x01;
    const frameBytes = Math.floor(((version === 3 ? 144 : 72) * kbps * 1000) / sampleRate) + padding;
    const next = at + frameBytes;
    if (next + 1 >= file.length || file[next] !== 0xff || (file[next + 1]! & 0xe0) !== 0xe0) continue;
    const frames = xingFrames(file, at, version);
    // The Xing frame count is a header field: never less than the bytes at the highest bitrate (320 kbit/s).
    if (frames !== undefined) return Math.max((frames * samplesPerFrame) / sampleRate, ((file.length - at) * 8) / 320_000);
    return ((file.length - at) * 8) / (kbps * 1000);
  }
  return undefined;
}

/** Frame count from a Xing/Info header in the first frame (variable bitrate files carry one). */
function xingFrames(file: Buffer, frameStart: number, version: number): number | undefined {
  const mono = (file[frameStart + 3]! >> 6) === 3;
  const sideInfo = version === 3 ? (mono ? 17 : 32) : mono ? 9 : 17;
  const at = frameStart + 4 + sideInfo;
  if (at + 12 > file.length) return undefined;
  const tag = file.toString('latin1', at, at + 4);
  if (tag !== 'Xing' && tag !== 'Info') return undefined;
  const flags = file.readUInt32BE(at + 4);
  return flags & 0x01 ? file.readUInt32BE(at + 8) : undefined;
}
