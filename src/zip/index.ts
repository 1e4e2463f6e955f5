/**
 * What a zip may cost to read, whatever its entries claim one by one. A zip bomb of the
 * "overlapping entries" kind points many central-directory entries at one deflate stream:
 * each entry looks modest (its size and ratio pass any per-entry check) while together they
 * inflate to gigabytes. The guard refuses an entry whose data another entry of the same archive
 * already used, and stops once the archive as a whole, nested archives included, has inflated
 * past its budget.
 */
export interface ZipBudget {
  /** Bytes all entries (nested archives' included) may inflate to together. */
  readonly maxTotalBytes: number;
}

/** The entry facts the guard needs, as yauzl reports them. */
export interface ZipEntryFacts {
  readonly relativeOffsetOfLocalHeader: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
}

export class ZipGuard {
  readonly #starts = new Set<number>();
  readonly #account: { spent: number; readonly max: number };

  constructor(budget: ZipBudget | ZipGuard) {
    this.#account = budget instanceof ZipGuard ? budget.#account : { spent: 0, max: budget.maxTotalBytes };
  }

  /** Bytes admitted so far, over this archive and every one nested in it. */
  get spent(): number {
    return this.#account.spent;
  }

  /**
   * Why the entry must not be read, or `undefined`: its declared size is then charged to the
   * budget (yauzl's size validation stops a stream that inflates past what it declared).
   */
  admit(entry: ZipEntryFacts): string | undefined {
    if (this.#starts.has(entry.relativeOffsetOfLocalHeader)) return 'shares its data with another entry (an overlapping-entry zip bomb); not read';
    this.#starts.add(entry.relativeOffsetOfLocalHeader);
    if (this.#account.spent + entry.uncompressedSize > this.#account.max) {
      return `would take the archive past ${this.#account.max} inflated bytes in all (${this.#account.spent} read so far); not read`;
    }
    this.#account.spent += entry.uncompressedSize;
    return undefined;
  }

  /** A guard for an archive nested in this one: offsets of its own, the same overall budget. */
  nested(): ZipGuard {
    return new ZipGuard(this);
  }
}
