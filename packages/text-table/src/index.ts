export { type ColumnAlign, type TextTableOptions, textTable } from './text-table.js';
