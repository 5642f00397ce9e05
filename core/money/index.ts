export * from './decimal.js';
export * from './units.js';
export * from './stripe-minor-units.js';
