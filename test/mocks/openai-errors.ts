// OpenAI error shapes: {error:{message,type,param,code}} and the mid-stream `data:` error.
import type { MockContext } from './mock-server.js';

const ERRORS: Record<number, [type: string, code: string | null, message: string]> = {
  400: ['invalid_request_error', null, 'Invalid request.'],
  401: ['invalid_request_error', 'invalid_api_key', 'Incorrect API key provided.'],
  403: ['invalid_request_error', 'unsupported_country_region_territory', 'Country, region, or territory not supported'],
  404: ['invalid_request_error', null, 'The requested resource does not exist.'],
  409: ['invalid_request_error', 'conflict', 'Conflict.'],
  422: ['invalid_request_error', null, 'Unprocessable entity.'],
  429: ['requests', 'rate_limit_exceeded', 'Rate limit reached for requests. Please try again in 1s.'],
  500: ['server_error', 'server_error', 'The server had an error while processing your request. Sorry about that!'],
  503: ['server_error', 'slow_down', 'The engine is currently overloaded, please try again later.'],
};

export function openaiErrorObject(status: number, message?: string, param: string | null = null): Record<string, unknown> {
  const [type, code, msg] = ERRORS[status] ?? (status >= 500
    ? ['server_error', null, 'The server had an error processing your request.']
    : ['invalid_request_error', null, 'Invalid request.']);
  return { message: message ?? msg, type, param, code };
}

/** Mid-stream error used by chat completions: `data: {"error":{...}}`. */
export function openaiStreamError(ctx: MockContext): string {
  const body = ctx.fault?.errorBody ?? { error: openaiErrorObject(500) };
  return `data: ${JSON.stringify(body)}\n\n`;
}
