/** The unified operations a provider may serve. */
export const OPS = [
  'chat',
  'responses',
  'completions',
  'embeddings',
  'images.generate',
  'images.edit',
  'audio.speech',
  'audio.transcribe',
] as const;

export type Op = (typeof OPS)[number];
