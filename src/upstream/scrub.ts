/** Removes upstream secrets, whole or masked the way providers echo them (`sk-abc…wxyz`), from text. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 8) continue;
    out = out.split(secret).join('[redacted]');
    const head = escapeRegExp(secret.slice(0, 3));
    const tail = escapeRegExp(secret.slice(-4));
    out = out.replace(new RegExp(`${head}[A-Za-z0-9_*.\\-]{0,200}${tail}`, 'g'), '[redacted]');
  }
  return out;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
