import type { HostEvent } from '../api/types.js';

/** Fan-out of host events to whoever listens (the page's event stream, Electron's window). */
export class EventHub {
  private readonly listeners = new Set<(event: HostEvent) => void>();

  subscribe(listener: (event: HostEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: HostEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  get size(): number {
    return this.listeners.size;
  }
}
