import { Type, type TSchema } from '@sinclair/typebox';

/** The building blocks every dashboard contract uses. */

/** A field that may be null (a limit, a date, a list): `null` means "none", never 0 or an empty value. */
export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
export const Iso = Type.String({ format: 'date-time' });
export const Micro = Type.Integer({ description: 'micro-rubles (1 RUB = 1 000 000)' });
export const Id = Type.String({ minLength: 1, maxLength: 100 });
export const PageLimit = Type.Integer({ minimum: 1, maximum: 200, default: 50 });

/** A fair-use limit (requests or tokens per minute, calls in flight): a whole number ≥ 1; null: none. */
export const RateLimit = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
