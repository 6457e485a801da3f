import type { Subscriber } from 'rxjs';

/**
 * The hot side of a node's face: the subscribers currently watching it, and the three calls a run
 * makes on them. It replaces an RxJS Subject, which the engine used only for this: Subject.next
 * allocates a closure (its error context) and an iterator per emission, about 100 bytes, and a run
 * emits on every watched node and gradient each tick. Same delivery rules as a Subject: a frame
 * goes to the subscribers present when its emission starts (one added meanwhile waits for the next
 * frame; one that unsubscribed meanwhile is closed and ignores it), and complete and error reach
 * every subscriber, after which the hub stays silent.
 */
export class FaceHub<T> {
  private subscribers: Subscriber<T>[] = [];
  /** The list the current and next emissions iterate; replaced, never mutated, when subscribers change. */
  private snapshot: Subscriber<T>[] | null = null;
  private stopped = false;

  /** Whether anyone is watching. */
  get observed(): boolean {
    return this.subscribers.length > 0;
  }

  /** Adds a subscriber; the returned function removes it. */
  add(subscriber: Subscriber<T>): () => void {
    if (this.stopped) return () => {};
    this.subscribers.push(subscriber);
    this.snapshot = null;
    return () => {
      const i = this.subscribers.indexOf(subscriber);
      if (i < 0) return;
      this.subscribers.splice(i, 1);
      this.snapshot = null;
    };
  }

  next(value: T): void {
    if (this.stopped) return;
    const list = (this.snapshot ??= this.subscribers.slice());
    for (let i = 0; i < list.length; i++) list[i]!.next(value);
  }

  complete(): void {
    for (const s of this.stop()) s.complete();
  }

  error(error: unknown): void {
    for (const s of this.stop()) s.error(error);
  }

  private stop(): Subscriber<T>[] {
    if (this.stopped) return [];
    this.stopped = true;
    const all = this.subscribers;
    this.subscribers = [];
    this.snapshot = null;
    return all;
  }
}
