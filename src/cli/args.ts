import { GatewayError } from '../core/errors.js';

/** A flag the command cannot do without. */
export function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new GatewayError('TG_ERR_BAD_REQUEST', `${flag} is required.`);
  return value;
}
