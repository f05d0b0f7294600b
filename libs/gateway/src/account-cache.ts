/**
 * Balances and nonces on the L2 engine, read once per sealed head: the engine's state changes only
 * when a block is sealed, so every commit between two seals reuses one read per sender, and the
 * reads of the commits arriving together go to the engine as one JSON-RPC batch.
 */
export interface AccountState {
  balance: bigint;
  nonce: number;
}

export interface AccountSource {
  /** eth_getBalance and eth_getTransactionCount of each address at 'latest', in order. */
  read(addresses: string[]): Promise<AccountState[]>;
}

/** Most distinct senders remembered for one head; beyond, the cache starts over (bounded memory). */
const MAX_ENTRIES = 100_000;

export class AccountCache {
  private head = -1;
  private readonly known = new Map<string, Promise<AccountState>>();
  private pending: { address: string; resolve: (s: AccountState) => void; reject: (e: unknown) => void }[] =
    [];
  private scheduled = false;

  constructor(private readonly source: AccountSource) {}

  /** The account as of the sealed head `head` (reads again once the head moves). */
  get(address: string, head: number): Promise<AccountState> {
    if (head !== this.head || this.known.size >= MAX_ENTRIES) {
      this.head = head;
      this.known.clear();
    }
    const a = address.toLowerCase();
    let p = this.known.get(a);
    if (!p) {
      p = new Promise<AccountState>((resolve, reject) => this.pending.push({ address: a, resolve, reject }));
      this.known.set(a, p);
      // A failed read is not remembered: the next commit asks the engine again.
      p.catch(() => {
        if (this.known.get(a) === p) this.known.delete(a);
      });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    }
    return p;
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    try {
      const states = await this.source.read(batch.map((b) => b.address));
      batch.forEach((b, i) => b.resolve(states[i]));
    } catch (e) {
      for (const b of batch) b.reject(e);
    }
  }
}
