import { defineMessages } from 'react-intl';

/** Why something waits for finance's approval, as the approvals inbox and the sales pages say it. */
export const approvalReasonLabels = defineMessages({
  over_threshold: { id: 'approval.reason.overThreshold', defaultMessage: 'Over the approval threshold' },
  over_credit_limit: {
    id: 'approval.reason.overCreditLimit',
    defaultMessage: 'Over the customer’s credit limit',
  },
});
