import { app, type EventHubTriggerOptions, type InvocationContext, trigger } from '@azure/functions';
import { classifyFailure } from '@paymetrics/dead-letter';
import { type BatchResult, type EventBatch, processBatch, RecentEventIds } from '@paymetrics/pipeline';
import { SettingName } from '@paymetrics/runtime';
import { eventHubBatch } from '../event-hub-batch.js';
import { getRuntime } from '../runtime.js';
import { observeDatabase } from '../telemetry.js';

/**
 * Per partition this instance has processed: the eventIds of its latest batches. A producer's
 * retry usually lands in one of the next few batches; the pipeline then leaves it out from the
 * start instead of deriving the whole batch again inside the transaction. Only a hint: the
 * commit's claim decides (a batch another instance committed meanwhile changes nothing). Bounded
 * by the hub's partition count.
 */
const recentEventIdsByPartition = new Map<string, RecentEventIds>();

function recentEventIdsOf(batch: EventBatch): RecentEventIds {
  const key = `${batch.source}\u0000${batch.partitionId}`;
  let recent = recentEventIdsByPartition.get(key);
  if (!recent) {
    recent = new RecentEventIds();
    recentEventIdsByPartition.set(key, recent);
  }
  return recent;
}

/**
 * The Event Hubs trigger: map the invocation to a batch, run the pipeline, log one line.
 * Poison events are parked by the pipeline and the invocation succeeds. Any failure to commit
 * throws (a RetryableBatchError when retrying can help): nothing was committed, the host does
 * not checkpoint past the batch while its retry policy runs, and the redelivered batch commits once.
 * Returns nothing: a non-HTTP function's return value is sent to the host.
 */
export async function processPayments(events: unknown[], context: InvocationContext): Promise<void> {
  const runtime = await getRuntime((message) => context.warn(message));
  observeDatabase(runtime.db);
  const batch = eventHubBatch(events, context.triggerMetadata, {
    fallbackNamespace: runtime.settings.eventHubNamespace,
  });
  try {
    const result = await processBatch(
      batch,
      { store: runtime.store, engine: runtime.engine, archive: runtime.archive },
      { recentEventIds: recentEventIdsOf(batch) },
    );
    context.log(batchLine(result));
  } catch (error) {
    const failure = classifyFailure(error);
    const retry = context.retryContext ? ` retry=${context.retryContext.retryCount}` : '';
    context.error(
      `batch source=${batch.source} partition=${batch.partitionId} events=${batch.events.length} failed: ${failure.kind} (${failure.reason})${retry}; nothing committed: ${(error as Error).message}`,
    );
    throw error;
  }
}

function batchLine(result: BatchResult): string {
  const codes = Object.entries(result.deadLetteredByCode)
    .map(([code, count]) => `${code}:${count}`)
    .join(',');
  return [
    `batch source=${result.source} partition=${result.partitionId}`,
    `received=${result.received} counted=${result.counted} deadLettered=${result.deadLettered}`,
    `duplicates=${result.duplicates} replaySkipped=${result.replaySkipped}`,
    `committedSequence=${result.committedSequence ?? 'none'} windows=${result.windowsTouched.length}`,
    `totalMs=${result.timings.totalMs.toFixed(1)}${codes ? ` deadLetteredByCode=${codes}` : ''}`,
  ].join(' ');
}

const triggerOptions: EventHubTriggerOptions = {
  // The name of an app setting: a connection string, or `EVENTHUB_CONNECTION__fullyQualifiedNamespace`
  // for managed identity.
  connection: SettingName.eventHubConnection,
  eventHubName: `%${SettingName.eventHubName}%`,
  // A consumer group of its own, so other readers of the hub never share its checkpoints.
  consumerGroup: `%${SettingName.eventHubConsumerGroup}%`,
  cardinality: 'many',
};

app.eventHub<unknown[]>('processPayments', {
  ...triggerOptions,
  // `binary`: every body arrives as the bytes sent. Without it the host deserializes a batch as
  // JSON and fails the whole invocation on one body that is not JSON (docs/deployment.md).
  trigger: { ...trigger.eventHub(triggerOptions), dataType: 'binary' },
  // Retry until the database is back: after the last retry the host would checkpoint past the
  // batch and its events would be lost. A stalled partition alerts; a lost batch alerts nobody.
  retry: {
    strategy: 'exponentialBackoff',
    maxRetryCount: -1,
    minimumInterval: { seconds: 5 },
    maximumInterval: { minutes: 5 },
  },
  handler: processPayments,
});
