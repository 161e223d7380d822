/** The enumerations and limits of PaymentTransaction v1, shared by the zod schema and the hot-path validator. */
export const paymentMethods = ['card', 'wallet', 'bank_transfer', 'bnpl'] as const;
export const cardBrands = ['visa', 'mastercard', 'amex', 'discover', 'jcb', 'unionpay'] as const;
export const channels = ['ecommerce', 'pos', 'moto', 'recurring'] as const;
export const transactionStatuses = ['approved', 'declined', 'error'] as const;

export const MAX_AMOUNT_MINOR = 1e12;
export const MAX_PROCESSOR_LATENCY_MS = 600_000;
export const MAX_METADATA_KEYS = 16;
export const MAX_RISK_SCORE = 100;

export const merchantIdPattern = /^[A-Za-z0-9_.-]{1,64}$/;
export const declineCodePattern = /^[A-Za-z0-9_]{1,8}$/;
/** Shorter text cannot hold a card number, so the PAN check is skipped. */
export const MIN_PAN_LENGTH = 13;
