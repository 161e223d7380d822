/** The low-cardinality kind of a batch source, from the prefix every runtime gives its source name. */
export type SourceKind = 'eventhub' | 'file' | 'simulator' | 'other';

const kinds: readonly SourceKind[] = ['eventhub', 'file', 'simulator'];

/** `eventhub:ns/hub/group` -> eventhub, `file:sha256:..` -> file, `simulator:seed-..` -> simulator. */
export function sourceKind(source: string): SourceKind {
  const prefix = source.slice(0, source.indexOf(':'));
  return (kinds as readonly string[]).includes(prefix) ? (prefix as SourceKind) : 'other';
}
