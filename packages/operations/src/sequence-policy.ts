/**
 * What reconciliation may assume about a partition's sequence numbers. `contiguous` means every
 * position between the first and the last committed one is an event (Event Hubs sequence
 * numbers, file line numbers), so received must equal last - first + 1. `firstPosition` is where
 * the partition starts when that is known (a file's line 1); when the committed range starts
 * later, the events before it were never committed.
 */
export interface SequencePolicy {
  readonly contiguous: boolean;
  /** The partition's first position, when known; undefined when consumption may legitimately start later. */
  readonly firstPosition?: number | undefined;
  /** Shown in the report: why the span check does not apply, or where the partition starts. */
  readonly note?: string | undefined;
}

export type SequencePolicyOf = (source: string, partitionId: string) => SequencePolicy;

/**
 * The source names the runtimes use: `eventhub:` (apps/function), `file:sha256:` and
 * `simulator:` (apps/simulator, lines numbered from 1).
 */
export const defaultSequencePolicy: SequencePolicyOf = (source) => {
  if (source.startsWith('file:') || source.startsWith('simulator:'))
    return { contiguous: true, firstPosition: 1 };
  if (source.startsWith('eventhub:')) {
    // A consumer may start at the hub's retention edge or at "latest": the first position of the
    // partition itself is not recorded, only the first one this database committed.
    return { contiguous: true };
  }
  return { contiguous: false, note: 'unknown source kind: sequence numbers not known to be contiguous' };
};
