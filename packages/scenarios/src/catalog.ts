import type { CardBrand, Channel, PaymentMethod } from '@paymetrics/schemas';
import type { Weighted } from './random.js';

/** Reference mixes, roughly those of a European/North American card acquirer. */

/** ISO 8583 response codes as issuers send them, weighted by how often they are seen. */
export const declineCodeMix: readonly Weighted<string>[] = [
  { value: '05', weight: 34 }, // do not honour
  { value: '51', weight: 28 }, // insufficient funds
  { value: '14', weight: 8 }, // invalid card number
  { value: '54', weight: 7 }, // expired card
  { value: '61', weight: 6 }, // exceeds withdrawal limit
  { value: '57', weight: 5 }, // transaction not permitted
  { value: '65', weight: 4 }, // exceeds frequency limit
  { value: '91', weight: 3 }, // issuer unavailable
  { value: '59', weight: 3 }, // suspected fraud
  { value: '62', weight: 2 }, // restricted card
];

export interface Market {
  readonly country: string;
  readonly currency: string;
  /** Median ticket in minor units. */
  readonly medianAmountMinor: number;
  readonly weight: number;
}

export const markets: readonly Market[] = [
  { country: 'US', currency: 'USD', medianAmountMinor: 4_500, weight: 30 },
  { country: 'GB', currency: 'GBP', medianAmountMinor: 3_200, weight: 12 },
  { country: 'DE', currency: 'EUR', medianAmountMinor: 3_800, weight: 11 },
  { country: 'FR', currency: 'EUR', medianAmountMinor: 3_600, weight: 8 },
  { country: 'NL', currency: 'EUR', medianAmountMinor: 3_400, weight: 5 },
  { country: 'ES', currency: 'EUR', medianAmountMinor: 2_900, weight: 5 },
  { country: 'CA', currency: 'CAD', medianAmountMinor: 5_200, weight: 6 },
  { country: 'JP', currency: 'JPY', medianAmountMinor: 4_800, weight: 6 },
  { country: 'AU', currency: 'AUD', medianAmountMinor: 5_600, weight: 4 },
  { country: 'SE', currency: 'SEK', medianAmountMinor: 39_000, weight: 3 },
  { country: 'BR', currency: 'BRL', medianAmountMinor: 15_000, weight: 4 },
  { country: 'IN', currency: 'INR', medianAmountMinor: 120_000, weight: 3 },
  { country: 'SG', currency: 'SGD', medianAmountMinor: 6_000, weight: 3 },
];

/**
 * Merchant archetypes: each behaves differently in ticket size, channel, payment method, card
 * brand, decline rate, cross-border share, processor latency and time of day, as acquirers see
 * them. Segmentation is scored by how well it recovers these from the metrics alone.
 */
export interface Archetype {
  readonly name: string;
  /** Share of merchants of this archetype. */
  readonly weight: number;
  /** Ticket size relative to the market's median. */
  readonly amountFactor: number;
  readonly approvalRate: number;
  readonly channels: readonly Weighted<Channel>[];
  readonly methods: readonly Weighted<PaymentMethod>[];
  readonly brands: readonly Weighted<CardBrand>[];
  /** Share of transactions paid with cards from another country (the event's country is the card's). */
  readonly crossBorderShare: number;
  readonly latencyFactor: number;
  /** Hours the daily curve is shifted by (negative: earlier in the day). */
  readonly curveShiftHours: number;
}

const brandsWith = (amex: number): readonly Weighted<CardBrand>[] => [
  { value: 'visa', weight: 52 },
  { value: 'mastercard', weight: 31 },
  { value: 'amex', weight: amex },
  { value: 'discover', weight: 3 },
  { value: 'jcb', weight: 3 },
  { value: 'unionpay', weight: 3 },
];

export const merchantArchetypes: readonly Archetype[] = [
  {
    name: 'grocery',
    weight: 22,
    amountFactor: 0.45,
    approvalRate: 0.95,
    channels: [
      { value: 'pos', weight: 92 },
      { value: 'ecommerce', weight: 8 },
    ],
    methods: [
      { value: 'card', weight: 94 },
      { value: 'wallet', weight: 6 },
    ],
    brands: brandsWith(4),
    crossBorderShare: 0.01,
    latencyFactor: 0.8,
    curveShiftHours: -2,
  },
  {
    name: 'travel',
    weight: 12,
    amountFactor: 9,
    approvalRate: 0.88,
    channels: [
      { value: 'ecommerce', weight: 80 },
      { value: 'moto', weight: 15 },
      { value: 'pos', weight: 5 },
    ],
    methods: [
      { value: 'card', weight: 92 },
      { value: 'bank_transfer', weight: 8 },
    ],
    brands: brandsWith(22),
    crossBorderShare: 0.45,
    latencyFactor: 1.9,
    curveShiftHours: -4,
  },
  {
    name: 'digital_subscriptions',
    weight: 16,
    amountFactor: 0.3,
    approvalRate: 0.8,
    channels: [
      { value: 'recurring', weight: 75 },
      { value: 'ecommerce', weight: 25 },
    ],
    methods: [
      { value: 'card', weight: 85 },
      { value: 'wallet', weight: 15 },
    ],
    brands: brandsWith(6),
    crossBorderShare: 0.15,
    latencyFactor: 1.1,
    curveShiftHours: 0,
  },
  {
    name: 'marketplace',
    weight: 20,
    amountFactor: 1,
    approvalRate: 0.915,
    channels: [
      { value: 'ecommerce', weight: 95 },
      { value: 'pos', weight: 5 },
    ],
    methods: [
      { value: 'wallet', weight: 45 },
      { value: 'card', weight: 40 },
      { value: 'bnpl', weight: 10 },
      { value: 'bank_transfer', weight: 5 },
    ],
    brands: brandsWith(8),
    crossBorderShare: 0.08,
    latencyFactor: 1,
    curveShiftHours: 2,
  },
  {
    name: 'restaurant',
    weight: 18,
    amountFactor: 0.9,
    approvalRate: 0.97,
    // Table-side terminals and ordering apps: half in-store, half through apps paying by wallet.
    channels: [
      { value: 'pos', weight: 50 },
      { value: 'ecommerce', weight: 50 },
    ],
    methods: [
      { value: 'wallet', weight: 55 },
      { value: 'card', weight: 45 },
    ],
    brands: brandsWith(8),
    crossBorderShare: 0.04,
    latencyFactor: 0.6,
    curveShiftHours: 1,
  },
  {
    name: 'electronics_retail',
    weight: 12,
    amountFactor: 5,
    approvalRate: 0.9,
    channels: [
      { value: 'ecommerce', weight: 55 },
      { value: 'pos', weight: 45 },
    ],
    methods: [
      { value: 'card', weight: 65 },
      { value: 'bnpl', weight: 25 },
      { value: 'bank_transfer', weight: 10 },
    ],
    brands: brandsWith(8),
    crossBorderShare: 0.05,
    latencyFactor: 1.3,
    curveShiftHours: 0,
  },
];

/** Processor regions: an outage takes out every market of one region. */
export const regions = {
  EU: ['GB', 'DE', 'FR', 'NL', 'ES', 'SE'],
  NA: ['US', 'CA'],
  LATAM: ['BR'],
  APAC: ['JP', 'AU', 'IN', 'SG'],
} as const satisfies Record<string, readonly string[]>;

export type Region = keyof typeof regions;

/** UTC offset of each market in minutes, standard time (no daylight saving: the scenario stays simple and stable). */
export const offsetsByCountry: Readonly<Record<string, number>> = {
  US: -300,
  CA: -300,
  BR: -180,
  GB: 0,
  DE: 60,
  FR: 60,
  NL: 60,
  ES: 60,
  SE: 60,
  IN: 330,
  SG: 480,
  JP: 540,
  AU: 600,
};

/**
 * Relative card volume by local hour of day (0-23), mean about 1: a night trough near 04:00,
 * a lunch bump and an evening peak near 19:00, the shape acquirers see for consumer spending.
 */
export const hourlyVolume: readonly number[] = [
  0.38, 0.24, 0.16, 0.12, 0.11, 0.15, 0.3, 0.58, 0.86, 1.04, 1.16, 1.3, 1.42, 1.34, 1.24, 1.22, 1.28, 1.42,
  1.6, 1.7, 1.58, 1.32, 0.98, 0.62,
];
