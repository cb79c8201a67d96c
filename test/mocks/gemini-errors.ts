// Google error shape: {error:{code, message, status, details?}}.

const STATUS: Record<number, [status: string, message: string]> = {
  400: ['INVALID_ARGUMENT', 'Request contains an invalid argument.'],
  401: ['UNAUTHENTICATED', 'Request had invalid authentication credentials.'],
  402: ['RESOURCE_EXHAUSTED', 'Your prepayment credits are depleted.'],
  403: ['PERMISSION_DENIED', 'The caller does not have permission'],
  404: ['NOT_FOUND', 'Requested entity was not found.'],
  409: ['ABORTED', 'The operation was aborted.'],
  429: ['RESOURCE_EXHAUSTED', 'Resource has been exhausted (e.g. check quota).'],
  499: ['CANCELLED', 'The operation was cancelled.'],
  500: ['INTERNAL', 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting'],
  501: ['UNIMPLEMENTED', 'Method not implemented.'],
  503: ['UNAVAILABLE', 'The model is overloaded. Please try again later.'],
  504: ['DEADLINE_EXCEEDED', 'Deadline expired before operation could complete.'],
};

export function geminiStatus(code: number): string {
  return STATUS[code]?.[0] ?? (code >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT');
}

export function geminiError(code: number, message?: string, details?: unknown[]): { error: Record<string, unknown> } {
  const error: Record<string, unknown> = {
    code,
    message: message ?? STATUS[code]?.[1] ?? 'Error',
    status: geminiStatus(code),
  };
  const d = details ?? (code === 429 ? [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '1s' }] : undefined);
  if (d) error.details = d;
  return { error };
}
