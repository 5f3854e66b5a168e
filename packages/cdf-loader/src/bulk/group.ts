/**
 * Identifiers a `loadAll` run read together, handed to the loader in one `loadMany` (one listener
 * and one promise for all of them, rather than one each). It owns the group's answers; the run
 * decides when it is handed over.
 */
export interface Group<TIdentifier, TValue> {
  readonly identifiers: TIdentifier[];
  /** Resolves when every identifier of the group has its answer in `results`. */
  readonly settled: Promise<void>;
  /** Hands the group to the loader (once); it takes no more identifiers after. */
  flush: (() => void) | undefined;
  /** Each identifier's value or error, in place, once `settled` resolved. */
  results: (TValue | Error)[] | undefined;
  /** Keys it queued in the background lane and not yet paid back by yielding: what it counts against the read-ahead. */
  newKeys: number;
}

/** An empty group whose `flush` hands its identifiers to `load`, once. */
export function newGroup<TIdentifier, TValue>(load: (group: Group<TIdentifier, TValue>) => Promise<(TValue | Error)[]>): Group<TIdentifier, TValue> {
  let flush!: () => void;
  const settled = new Promise<void>((resolve) => {
    flush = () => {
      group.flush = undefined;
      void load(group).then((results) => {
        group.results = results;
        resolve();
      });
    };
  });
  const group: Group<TIdentifier, TValue> = { identifiers: [], settled, flush, results: undefined, newKeys: 0 };
  return group;
}
