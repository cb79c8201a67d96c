import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formModelProblem, multipartBoundary, readFormFields, readFormFile, replaceFormField } from '../../src/lib/multipart-fields.js';

const B = '----tollgateBoundary42';
function form(parts: Array<{ name: string; value: Buffer | string; filename?: string }>): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = `form-data; name="${part.name}"${part.filename ? `; filename="${part.filename}"` : ''}`;
    chunks.push(Buffer.from(`--${B}\r\nContent-Disposition: ${disposition}\r\n${part.filename ? 'Content-Type: audio/mpeg\r\n' : ''}\r\n`));
    chunks.push(Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${B}--\r\n`));
  return Buffer.concat(chunks);
}

test('boundary from the content type, quoted or not', () => {
  assert.equal(multipartBoundary(`multipart/form-data; boundary=${B}`), B);
  assert.equal(multipartBoundary(`multipart/form-data; charset=utf-8; boundary="${B}"`), B);
  assert.equal(multipartBoundary('application/json'), undefined);
  assert.equal(multipartBoundary(undefined), undefined);
});

test('reads text fields wherever they are, skipping files (even ones that contain look-alike bytes)', () => {
  const trap = Buffer.from(`binary\r\nContent-Disposition: form-data; name="model"\r\n\r\nwrong-model\r\n`);
  const body = form([
    { name: 'file', value: trap, filename: 'speech.mp3' },
    { name: 'model', value: 'whisper-1' },
    { name: 'language', value: 'ru' },
  ]);
  assert.deepEqual(readFormFields(body, B, ['model']), { model: 'whisper-1' });
  assert.deepEqual(readFormFields(body, B, ['model', 'language']), { model: 'whisper-1', language: 'ru' });
});

test('the first of repeated fields wins; missing and malformed bodies give nothing', () => {
  const body = form([{ name: 'model', value: 'gpt-4o-transcribe' }, { name: 'model', value: 'other' }]);
  assert.deepEqual(readFormFields(body, B, ['model']), { model: 'gpt-4o-transcribe' });
  assert.deepEqual(readFormFields(Buffer.from('not a form'), B, ['model']), {});
  assert.deepEqual(readFormFields(body.subarray(0, 20), B, ['model']), {});
});

test('replacing a field keeps every other byte, files included', () => {
  const audio = Buffer.from([0, 1, 2, 0x0d, 0x0a, 0x2d, 0x2d, 255]);
  const body = form([
    { name: 'file', value: audio, filename: 'speech.mp3' },
    { name: 'model', value: 'openai/whisper-1' },
    { name: 'model', value: 'second' },
  ]);
  const replaced = replaceFormField(body, B, 'model', 'whisper-1')!;
  assert.deepEqual(readFormFields(replaced, B, ['model']), { model: 'whisper-1' });
  assert.deepEqual(readFormFile(replaced, B, 'file'), audio);
  assert.equal(replaced.length, body.length - 'openai/'.length);
  assert.ok(replaced.includes('second'));
  assert.equal(replaceFormField(body, B, 'language', 'ru'), undefined);
  assert.equal(replaceFormField(Buffer.from('not a form'), B, 'model', 'x'), undefined);
});

test('a form that could name a second model, or names a part ambiguously, is flagged', () => {
  const raw = (...parts: string[]) => Buffer.from(parts.map((p) => `--${B}\r\n${p}\r\n`).join('') + `--${B}--\r\n`);
  const model = 'Content-Disposition: form-data; name="model"\r\n\r\nwhisper-1';
  assert.equal(formModelProblem(raw(model, 'Content-Disposition: form-data; name="language"\r\n\r\nru'), B), undefined);
  const smuggled = [
    'Content-Disposition: form-data; name=model\r\n\r\ngpt-4o-transcribe',
    'Content-Disposition: form-data; name = "model"\r\n\r\ngpt-4o-transcribe',
    'Content-Disposition: form-data; name="model"; filename*=UTF-8\'\'x\r\n\r\ngpt-4o-transcribe',
    'Content-Disposition: form-data; NAME="model"\r\n\r\ngpt-4o-transcribe',
  ];
  for (const second of smuggled) assert.equal(formModelProblem(raw(model, second), B), "The form names 'model' more than once.", second);
  const ambiguous = [
    'Content-Disposition: form-data; name="prompt"\r\nContent-Disposition: form-data; name="model"\r\n\r\ngpt-4o-transcribe',
    "Content-Disposition: form-data; name*=UTF-8''model\r\n\r\ngpt-4o-transcribe",
    'Content-Type: text/plain\r\n\r\nno disposition',
  ];
  for (const part of ambiguous) assert.match(formModelProblem(raw(model, part), B) ?? '', /ambiguous/, part);
  // Unquoted and spaced names are read as a lenient server reads them.
  assert.deepEqual(readFormFields(raw('Content-Disposition: form-data; name = model\r\n\r\nwhisper-1'), B, ['model']), { model: 'whisper-1' });
});
