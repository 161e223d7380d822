export { openReplayInput, type ReplayInput, splitLines } from './input.js';
export { type Clock, type PaceOptions, pace, steadyRate, systemClock } from './pacing.js';
export { createEventHubProducer, producerRetryOptions } from './sinks/eventhubs-producer.js';
export {
  type BufferedEventProducer,
  type BufferedProducerOptions,
  createEventHubsSink,
  EventHubsSendError,
  type EventHubsSink,
  type EventHubsSinkOptions,
  type SendTotals,
} from './sinks/eventhubs-sink.js';
export {
  addBatch,
  emptyTotals,
  type LocalRunOptions,
  type RunTotals,
  runLocalPipeline,
} from './sinks/local-sink.js';
