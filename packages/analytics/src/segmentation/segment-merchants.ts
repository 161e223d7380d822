import type { Database } from '@paymetrics/storage-adapters';
import { type Kysely, sql } from 'kysely';
import { kmeans } from 'ml-kmeans';
import { mean, silhouetteMetric, standardDeviation } from 'simple-statistics';
import {
  type FeatureName,
  featureNames,
  loadMerchantFeatures,
  type MerchantFeatures,
} from './merchant-features.js';

export interface SegmentOptions {
  /** The UTC day segmented (YYYY-MM-DD); features cover `days` days ending on it. */
  readonly asOf: string;
  readonly days?: number;
  /** Merchants with fewer transactions over the period are left out (their features are noise). */
  readonly minTransactions?: number;
  /** Candidate numbers of segments; the one with the highest Calinski-Harabasz index wins. */
  readonly kRange?: readonly [number, number];
  readonly seed?: number;
  /** k-means runs per k from different seeded k-means++ starts; the tightest (least inertia) is kept. */
  readonly restarts?: number;
}

export interface SegmentSummary {
  readonly asOf: string;
  readonly merchants: number;
  readonly k: number;
  /** Mean silhouette of the chosen clustering: how well separated its segments are (-1..1). */
  readonly silhouette: number;
  /** Per candidate k: the criterion (Calinski-Harabasz index) and the mean silhouette. */
  readonly candidates: readonly {
    readonly k: number;
    readonly calinskiHarabasz: number;
    readonly silhouette: number;
  }[];
  readonly segments: readonly { readonly segment: string; readonly size: number }[];
  /** Per merchant, its segment label. */
  readonly labels: ReadonlyMap<string, string>;
}

/** Words for a centroid far above (z > 0) or below the mean on a feature; null: not worth naming. */
const featureWords: Record<FeatureName, readonly [string | null, string | null]> = {
  log_ticket_vs_currency: ['large-ticket', 'small-ticket'],
  pos_share: ['in-store', 'card-not-present'],
  recurring_share: ['subscription', null],
  moto_share: ['mail/phone-order', null],
  card_share: ['card-heavy', 'alternative-payments'],
  wallet_share: ['wallet-heavy', null],
  bnpl_share: ['buy-now-pay-later', null],
  bank_transfer_share: ['bank-transfer', null],
  amex_share_of_cards: ['amex-heavy', null],
  decline_rate: ['high-decline', 'low-decline'],
  cross_border_share: ['cross-border', 'domestic'],
  log_latency_ms: ['slow-processing', 'fast-processing'],
};

interface Centroid {
  readonly segment: string;
  /** In original feature units, so any day's standardisation can place it. */
  readonly centroid: Record<FeatureName, number>;
}

/**
 * Segments merchants by their daily features: standardised (z-scores), k-means (the best of
 * several seeded k-means++ starts, so the same data gives the same clusters) for each k in the
 * range, k chosen by the highest Calinski-Harabasz index (between-segment over within-segment
 * variance, each per degree of freedom). Silhouette, the previous criterion, prefers a few far
 * apart groups and merges segments that are distinct but nearer each other (marketplaces and
 * restaurants, both wallet-heavy); clusters matched to the previous day's segments by nearest centroid so
 * labels stay stable; new clusters named from their centroid's most distinctive features.
 * Replaces the day's rows in merchant_segments and merchant_segment_centroids.
 */
export async function segmentMerchants(
  db: Kysely<Database>,
  options: SegmentOptions,
): Promise<SegmentSummary> {
  const merchants = await loadMerchantFeatures(db, {
    asOf: options.asOf,
    days: options.days ?? 7,
    minTransactions: options.minTransactions ?? 50,
  });
  const [kMin, kMax] = options.kRange ?? [2, 10];
  if (merchants.length < kMin + 1) {
    return {
      asOf: options.asOf,
      merchants: merchants.length,
      k: 0,
      silhouette: 0,
      candidates: [],
      segments: [],
      labels: new Map(),
    };
  }
  const { points, means, deviations } = standardise(merchants);
  const results: {
    k: number;
    calinskiHarabasz: number;
    silhouette: number;
    clusters: number[];
    centroids: number[][];
  }[] = [];
  for (let k = kMin; k <= Math.min(kMax, merchants.length - 1); k++) {
    const { clusters, centroids, inertia } = bestOfRestarts(
      points,
      k,
      options.seed ?? 42,
      options.restarts ?? 10,
    );
    results.push({
      k,
      calinskiHarabasz: calinskiHarabasz(points, inertia, k),
      silhouette: silhouetteMetric(points, clusters),
      clusters,
      centroids,
    });
  }
  const candidates = results.map(({ k, calinskiHarabasz, silhouette }) => ({
    k,
    calinskiHarabasz,
    silhouette,
  }));
  // The highest index; on an exact tie, the smaller k.
  const chosen = results.reduce((best, r) => (r.calinskiHarabasz > best.calinskiHarabasz ? r : best));
  const previous = await previousCentroids(db, options.asOf);
  const names = labelClusters(
    chosen.centroids,
    previous.map((p) => ({
      segment: p.segment,
      point: featureNames.map((f, i) => (p.centroid[f] - means[i]!) / deviations[i]!),
    })),
  );

  const rows = merchants.map((merchant, i) => {
    const cluster = chosen.clusters[i]!;
    const centroid = chosen.centroids[cluster]!;
    return {
      merchantId: merchant.merchantId,
      segment: names[cluster]!,
      distance: Math.sqrt(points[i]!.reduce((sum, value, j) => sum + (value - centroid[j]!) ** 2, 0)),
      features: merchant.features,
    };
  });
  const centroidsInUnits = chosen.centroids.map((centroid) =>
    Object.fromEntries(featureNames.map((f, j) => [f, centroid[j]! * deviations[j]! + means[j]!])),
  );
  const sizes = chosen.centroids.map((_, c) => chosen.clusters.filter((x) => x === c).length);
  await db.transaction().execute(async (trx) => {
    await sql`DELETE FROM merchant_segments WHERE as_of = ${options.asOf}::date`.execute(trx);
    await sql`DELETE FROM merchant_segment_centroids WHERE as_of = ${options.asOf}::date`.execute(trx);
    await sql`
      INSERT INTO merchant_segments (as_of, merchant_id, segment, distance, features)
      SELECT ${options.asOf}::date, m, s, d::float8, f::jsonb
        FROM unnest(${rows.map((r) => r.merchantId)}::text[], ${rows.map((r) => r.segment)}::text[],
                    ${rows.map((r) => String(r.distance))}::text[], ${rows.map((r) => JSON.stringify(r.features))}::text[])
             AS t(m, s, d, f)`.execute(trx);
    await sql`
      INSERT INTO merchant_segment_centroids (as_of, segment, size, centroid)
      SELECT ${options.asOf}::date, s, n::integer, c::jsonb
        FROM unnest(${names}::text[], ${sizes.map(String)}::text[], ${centroidsInUnits.map((c) => JSON.stringify(c))}::text[])
             AS t(s, n, c)`.execute(trx);
  });
  return {
    asOf: options.asOf,
    merchants: merchants.length,
    k: chosen.k,
    silhouette: chosen.silhouette,
    candidates,
    segments: names.map((segment, c) => ({ segment, size: sizes[c]! })).sort((a, b) => b.size - a.size),
    labels: new Map(rows.map((r) => [r.merchantId, r.segment])),
  };
}

/** Sum of squared distances of the points to their cluster's centroid. */
function inertiaOf(
  points: readonly number[][],
  clusters: readonly number[],
  centroids: readonly number[][],
): number {
  let sum = 0;
  for (const [i, point] of points.entries()) {
    const centroid = centroids[clusters[i]!]!;
    for (const [j, value] of point.entries()) sum += (value - centroid[j]!) ** 2;
  }
  return sum;
}

/** k-means from `restarts` seeded k-means++ starts; the run with the least inertia. */
function bestOfRestarts(points: number[][], k: number, seed: number, restarts: number) {
  let best: { clusters: number[]; centroids: number[][]; inertia: number } | undefined;
  for (let run = 0; run < Math.max(1, restarts); run++) {
    const { clusters, centroids } = kmeans(points, k, {
      initialization: 'kmeans++',
      seed: seed + run,
      maxIterations: 300,
    });
    const inertia = inertiaOf(points, clusters, centroids);
    if (!best || inertia < best.inertia) best = { clusters, centroids, inertia };
  }
  return best!;
}

/**
 * Calinski-Harabasz index (variance ratio criterion): between-cluster over within-cluster sum of
 * squares, each divided by its degrees of freedom (k - 1 and n - k). The points are z-scores, so
 * their total sum of squares around the mean (the origin) is their sum of squares.
 */
function calinskiHarabasz(points: readonly number[][], inertia: number, k: number): number {
  const total = points.reduce((sum, point) => sum + point.reduce((s, v) => s + v * v, 0), 0);
  const n = points.length;
  if (inertia === 0) return Number.POSITIVE_INFINITY;
  return (total - inertia) / (k - 1) / (inertia / (n - k));
}

function standardise(merchants: readonly MerchantFeatures[]) {
  const columns = featureNames.map((name) => merchants.map((m) => m.features[name]));
  const means = columns.map((column) => mean(column));
  // A constant feature carries no information; dividing by 1 keeps it at 0.
  const deviations = columns.map((column) => standardDeviation(column) || 1);
  const points = merchants.map((m) =>
    featureNames.map((name, j) => (m.features[name] - means[j]!) / deviations[j]!),
  );
  return { points, means, deviations };
}

async function previousCentroids(db: Kysely<Database>, asOf: string): Promise<Centroid[]> {
  const { rows } = await sql<{ segment: string; centroid: Record<FeatureName, number> }>`
    SELECT segment, centroid FROM merchant_segment_centroids
     WHERE as_of = (SELECT max(as_of) FROM merchant_segment_centroids WHERE as_of < ${asOf}::date)
     ORDER BY segment`.execute(db);
  return rows;
}

/**
 * Labels: the previous day's segment nearest to each cluster keeps its label (closest pairs
 * first, each label used once, and only within a distance of 1.5 standard units); the rest are
 * named from their centroid.
 */
function labelClusters(
  centroids: readonly number[][],
  previous: readonly { segment: string; point: number[] }[],
): string[] {
  const names: (string | undefined)[] = centroids.map(() => undefined);
  const pairs = centroids.flatMap((centroid, c) =>
    previous.map((p) => ({
      c,
      segment: p.segment,
      distance: Math.hypot(...centroid.map((v, j) => v - p.point[j]!)),
    })),
  );
  pairs.sort((a, b) => a.distance - b.distance || a.segment.localeCompare(b.segment));
  const used = new Set<string>();
  for (const pair of pairs) {
    if (pair.distance > 1.5 || names[pair.c] !== undefined || used.has(pair.segment)) continue;
    names[pair.c] = pair.segment;
    used.add(pair.segment);
  }
  return names.map((name, c) => {
    if (name) return name;
    const fresh = describeCentroid(centroids[c]!, used);
    used.add(fresh);
    return fresh;
  });
}

/** "large-ticket cross-border card-not-present": the three most distinctive words of a centroid. */
export function describeCentroid(centroid: readonly number[], taken: ReadonlySet<string>): string {
  const words = featureNames
    .map((name, j) => ({
      word: featureWords[name][centroid[j]! >= 0 ? 0 : 1],
      strength: Math.abs(centroid[j]!),
    }))
    .filter((w): w is { word: string; strength: number } => w.word !== null && w.strength >= 0.5)
    .sort((a, b) => b.strength - a.strength)
    .map((w) => w.word);
  for (let count = Math.min(3, words.length); count <= words.length; count++) {
    const name = words.slice(0, count).join(' ') || 'typical';
    if (!taken.has(name)) return name;
  }
  let suffix = 2;
  const base = words.slice(0, 3).join(' ') || 'typical';
  while (taken.has(`${base} ${suffix}`)) suffix++;
  return `${base} ${suffix}`;
}
