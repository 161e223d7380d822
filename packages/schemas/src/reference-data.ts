import currencyCodes from 'currency-codes';
import { iso31661 } from 'iso-3166';

/**
 * Pinned ISO reference lists: the event contract must not change with the Node version, as it
 * did when these came from the runtime's ICU data (which names pseudo-regions such as XA, XB and
 * XK, and lacks fund codes such as CLF, CHE and USN). A list changes only when the pinned package
 * version (package.json, pnpm-lock.yaml) or the amendments below change, in a reviewed commit.
 */

/** ISO 3166-1 alpha-2: the 249 officially assigned codes (`iso-3166`); no user-assigned X* codes. */
export const isoCountryCodes: ReadonlySet<string> = new Set(iso31661.map((country) => country.alpha2));

/**
 * ISO 4217 amendments published after the list the `currency-codes` package carries
 * (`currencyCodes.publishDate`, 2024-06-25 in 2.2.0). Source: the ISO 4217 maintenance agency's
 * list one (https://www.six-group.com/en/products-services/financial-information/data-standards.html).
 * Remove an entry once the package's list includes it.
 */
export interface Iso4217Amendment {
  readonly code: string;
  readonly effective: string;
  readonly name: string;
}

export const iso4217AmendmentsAfterPinnedList: readonly Iso4217Amendment[] = [
  // Replaces the Netherlands Antillean guilder (ANG) in Curaçao and Sint Maarten.
  { code: 'XCG', effective: '2025-03-31', name: 'Caribbean guilder' },
];

/** ISO 4217 alpha-3: list one (current currencies and funds, e.g. CLF, CHE, USN), plus amendments. */
export const isoCurrencyCodes: ReadonlySet<string> = new Set([
  ...currencyCodes.codes(),
  ...iso4217AmendmentsAfterPinnedList.map((amendment) => amendment.code),
]);
