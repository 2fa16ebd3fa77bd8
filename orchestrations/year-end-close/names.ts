/** Function names of the year-end close: constants, because renaming one breaks running instances. */
export const YEAR_END_CLOSE = 'year-end-close';
export const CHECK_PERIODS_ACTIVITY = 'year-end-close-check-periods';
export const MARK_CLOSING_ACTIVITY = 'year-end-close-mark-closing';
export const COMPUTE_RESULT_ACTIVITY = 'year-end-close-compute-result';
export const POST_CLOSING_ENTRY_ACTIVITY = 'year-end-close-post-closing-entry';
export const MARK_CLOSED_ACTIVITY = 'year-end-close-mark-closed';
export const ABANDON_CLOSE_ACTIVITY = 'year-end-close-abandon';
