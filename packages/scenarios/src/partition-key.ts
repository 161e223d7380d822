import { merchantIdPattern } from '@paymetrics/schemas';

const decoder = new TextDecoder();

/**
 * The merchant id of a line, used as the Event Hubs partition key so that one merchant's events
 * stay in order on one partition. A line without a valid merchant id (malformed JSON, a bad id)
 * has no key: it is still sent, as it is, and the pipeline parks it.
 */
export function merchantPartitionKey(line: string | Uint8Array): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof line === 'string' ? line : decoder.decode(line));
  } catch {
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const merchantId = (parsed as { merchantId?: unknown }).merchantId;
  return typeof merchantId === 'string' && merchantIdPattern.test(merchantId) ? merchantId : undefined;
}
