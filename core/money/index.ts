export * from './decimal.js';
export * from './units.js';
