/** Function names of the report run: constants, because renaming one breaks running instances. */
export { REPORT_RUN_ORCHESTRATION as REPORT_RUN } from '../../shared/modules/reports/index.js';
export const BEGIN_RUN_ACTIVITY = 'report-run-begin';
export const RENDER_FILE_ACTIVITY = 'report-run-render-file';
export const COMPLETE_RUN_ACTIVITY = 'report-run-complete';
export const FAIL_RUN_ACTIVITY = 'report-run-fail';
