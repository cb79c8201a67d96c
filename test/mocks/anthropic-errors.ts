// Anthropic error shape: {type:"error", error:{type, message}, request_id}.

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error', 401: 'authentication_error', 402: 'billing_error', 403: 'permission_error',
  404: 'not_found_error', 413: 'request_too_large', 429: 'rate_limit_error', 500: 'api_error',
  504: 'timeout_error', 529: 'overloaded_error',
};

const DEFAULT_MESSAGES: Record<string, string> = {
  invalid_request_error: 'Invalid request.',
  authentication_error: 'invalid x-api-key',
  billing_error: 'Your credit balance is too low to access the Anthropic API.',
  permission_error: 'Your API key does not have permission to use the specified resource.',
  not_found_error: 'Not found.',
  request_too_large: 'Request exceeds the maximum allowed number of bytes.',
  rate_limit_error: 'Number of request tokens has exceeded your per-minute rate limit',
  api_error: 'Internal server error',
  timeout_error: 'Request timed out',
  overloaded_error: 'Overloaded',
};

export function anthropicErrorType(status: number): string {
  return ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

/** `{type:"error", error:{type, message}, request_id}`; pass reqNo undefined to omit request_id (in-stream errors). */
export function anthropicError(status: number, message?: string, reqNo?: number): Record<string, unknown> {
  const type = anthropicErrorType(status);
  const body: Record<string, unknown> = { type: 'error', error: { type, message: message ?? DEFAULT_MESSAGES[type] ?? 'Error' } };
  if (reqNo !== undefined) body.request_id = `req_mock${reqNo}`;
  return body;
}
