/**
 * The dashboard API's contracts: TypeBox schemas the server validates and serializes with, and their
 * static types, which the web app imports (types only).
 */
export * from './auth.js';
export * from './cabinet.js';
export * from './admin.js';
export * from './promo.js';
export * from './payments.js';
