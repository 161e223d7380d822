export { type ClosedWindowOptions, closedHorizonMs } from './detection/closed-windows.js';
export { type DetectOptions, type DetectSummary, detectAnomalies } from './detection/detect-anomalies.js';
export { type AnomalyMetric, type DetectorSettings, defaultDetectorSettings } from './detection/detectors.js';
export {
  type FeatureName,
  featureNames,
  loadMerchantFeatures,
  type MerchantFeatures,
} from './segmentation/merchant-features.js';
export {
  type SegmentOptions,
  type SegmentSummary,
  segmentMerchants,
} from './segmentation/segment-merchants.js';
