import type { Instant } from '../time/instant.js';
import { compareDeductionOrder } from './deduction-order.js';
import type { BlockState } from './types.js';

/** At one instant expiries come first, then activations (L3). */
export const EXPIRY = 0;
export const ACTIVATION = 1;
export type EventType = typeof EXPIRY | typeof ACTIVATION;

export interface BlockEvent {
  at: Instant;
  type: EventType;
  block: BlockState;
}

function before(a: BlockEvent, b: BlockEvent): boolean {
  if (a.at !== b.at) return a.at < b.at;
  if (a.type !== b.type) return a.type < b.type;
  // Several activations at one instant repay the deficit in L1 order; expiries go by creation.
  if (a.type === ACTIVATION) return compareDeductionOrder(a.block, b.block) < 0;
  return a.block.createdSequence < b.block.createdSequence;
}

/** Binary min-heap of the block events still ahead of the replay. */
export class EventQueue {
  private readonly heap: BlockEvent[] = [];

  get size(): number {
    return this.heap.length;
  }

  /** The events still ahead, in heap (not time) order: a copy. */
  items(): BlockEvent[] {
    return [...this.heap];
  }

  peek(): BlockEvent | undefined {
    return this.heap[0];
  }

  push(event: BlockEvent): void {
    const heap = this.heap;
    heap.push(event);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >>> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  pop(): BlockEvent | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
        i = smallest;
      }
    }
    return top;
  }
}
