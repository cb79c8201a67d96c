const KEY_IN_URL = /([?&](?:key|token)=)[^&]*/gi;

/** A URL fit for a log line: any `?key=` (Google's SDKs put API keys there) and `?token=` (password reset links) replaced. */
export function redactUrl(url: string): string {
  return url.replace(KEY_IN_URL, '$1[redacted]');
}
