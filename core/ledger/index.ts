export * from './types.js';
export * from './account-key.js';
export { compareDeductionOrder } from './deduction-order.js';
export { replayAccount, compareReplayOrder, type ReplayOptions } from './replay.js';
export { blockStatus, isDrawable } from './status.js';
export { assertAccountInvariants, blockConservationHolds, InvariantViolation } from './invariants.js';
export { allocationWarningText } from './allocation-text.js';
export { firstStatedDisagreement, statedCurrentDisagreement, type StatedDisagreement } from './stated-balance.js';
export { expiryStatesAmount } from './stated-expiry.js';
