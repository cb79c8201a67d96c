// Shared samples for the estimate tests: natural text in four scripts, fake media payloads, request builders.
import { randomBytes } from 'node:crypto';

export const ENGLISH = [
  'The committee met on Tuesday to review the quarterly figures. Revenue grew by twelve percent, driven mostly',
  'by subscriptions in the northern region, while hardware sales fell for the third quarter in a row. The chair',
  'asked the finance team to prepare a forecast that separates recurring income from one-off contracts, and to',
  'explain why the marketing budget was overspent by forty thousand dollars. Several members raised concerns',
  "about the new supplier's delivery times; the operations lead promised a written report before the next meeting.",
].join(' ');

export const RUSSIAN = [
  'Вчера вечером в городской библиотеке прошла встреча с известным писателем, который рассказал о своей новой',
  'книге. Читатели задавали вопросы о героях романа, о том, как долго автор собирал материал и почему действие',
  'происходит в маленьком северном городке. Писатель признался, что работал над текстом почти четыре года и',
  'несколько раз переписывал финал. В конце встречи все желающие смогли получить автограф и сфотографироваться.',
].join(' ');

export const CHINESE = [
  '今天上午，市政府召开新闻发布会，介绍了今年城市交通建设的最新进展。',
  '负责人表示，地铁三号线预计将在年底前全线通车，届时从火车站到机场只需四十分钟。',
  '此外，全市还将新增两千个公共自行车停放点，并对部分老旧公交车进行更新。',
  '记者在现场了解到，市民对这些措施普遍表示欢迎，但也希望加强高峰时段的管理。',
].join('');

export const CODE = `
export async function fetchUser(id: string, signal?: AbortSignal): Promise<User | undefined> {
  const res = await fetch(\`/api/users/\${encodeURIComponent(id)}\`, { signal });
  if (res.status === 404) return undefined;
  if (!res.ok) throw new Error(\`GET /api/users/\${id}: \${res.status}\`);
  const body = (await res.json()) as { user: User };
  return { ...body.user, fetchedAt: Date.now() };
}

for (let i = 0; i < items.length; i++) {
  if (items[i].price > 100 && !items[i].discounted) total += items[i].price * 0.9;
}
`;

/** Base64 of `bytes` random bytes behind a real magic number (the kind the estimators sniff). */
export function base64Payload(magic: number[] | string, bytes: number): string {
  const head = typeof magic === 'string' ? Buffer.from(magic, 'latin1') : Buffer.from(magic);
  return Buffer.concat([head, randomBytes(Math.max(0, bytes - head.length))]).toString('base64');
}

export const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
export const JPEG_MAGIC = [0xff, 0xd8, 0xff, 0xe0];
export const PDF_MAGIC = '%PDF-1.7\n';
export const MP3_MAGIC = 'ID3\u0004\u0000';
export const WAV_MAGIC = 'RIFF\u0000\u0000\u0000\u0000WAVEfmt ';
export const MP4_MAGIC = '\u0000\u0000\u0000\u0018ftypmp42';

export const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value), 'utf8');
